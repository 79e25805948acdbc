/*
 * Settings, from (lowest to highest priority) built-in defaults, a config
 * file of "key = value" lines, COCARE_<KEY> environment variables and
 * command-line flags. With nothing set, cocare is a single-machine
 * install with SQLite in the data directory. docs/operations.md lists
 * every key.
 */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
	char *data_dir;		/* data_dir: database, keys, backups */
	char *database;		/* database: empty = SQLite in data_dir;
				   "postgresql://..." = PostgreSQL */
	char *listen;		/* listen: HOST:PORT */
	char *tls_cert;		/* tls_cert: PEM file; TLS on when set */
	char *tls_key;		/* tls_key: PEM file */
	char *audit_key_file;	/* audit_key_file: empty = data_dir/audit.key */
	int threads;		/* threads: HTTP worker threads */
	int max_connections;	/* max_connections */
	int request_timeout;	/* request_timeout: seconds idle before 408 */
	size_t max_body;	/* max_body: bytes in a form body */
	size_t max_upload;	/* max_upload: bytes in a multipart body */
	int session_idle;	/* session_idle: seconds */
	int session_lifetime;	/* session_lifetime: seconds */
	int db_pool;		/* db_pool: read connections per process */
	int read_audit_delay_ms;/* read_audit_delay_ms: batching bound */
	bool trust_proxy;	/* trust_proxy: client address from
				   X-Forwarded-For (behind a proxy only) */
	int min_free_disk_mb;	/* min_free_disk_mb: /healthz says 503 with
				   less free space (SQLite) */
	char *log_level;	/* log_level: error, warn, info, debug */
};

/* Fills `c` with the defaults. */
void config_defaults(struct config *c);

/*
 * Reads `path` (NULL = none) and then the environment over the current
 * values. On error writes a message naming the file and line into `err`
 * and returns false; `c` may be partly updated.
 */
bool config_load(struct config *c, const char *path, char *err,
		 size_t errlen);

/* Sets one key from text; false for an unknown key or a bad value. */
bool config_set(struct config *c, const char *key, const char *value);

/* The SQLite file path (data_dir/cocare.db) as a malloc'd string. */
char *config_sqlite_path(const struct config *c);

/* The audit key path as a malloc'd string. */
char *config_audit_key_path(const struct config *c);

/* Frees the strings (not `c` itself). */
void config_release(struct config *c);

#endif
