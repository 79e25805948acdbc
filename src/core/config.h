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
	/* The notification outbox (docs/operations.md). */
	char *public_url;	/* public_url: put before links in emails */
	char *smtp_url;		/* smtp_url: smtp://host:port, smtps://... */
	char *smtp_from;	/* smtp_from: the sender */
	char *smtp_user;	/* smtp_user: "" for none */
	char *smtp_password;	/* smtp_password: never logged */
	char *sms_url;		/* sms_url: the SMS gateway */
	char *sms_user;		/* sms_user: basic auth user, or "" */
	char *sms_token;	/* sms_token: never logged */
	char *outbox_worker;	/* outbox_worker: auto, on, off */
	int outbox_max_attempts;/* outbox_max_attempts: then dead */
	int outbox_lease;	/* outbox_lease: seconds a claim lasts */
	int outbox_timeout;	/* outbox_timeout: seconds per hand-over */
	int outbox_retry_min;	/* outbox_retry_min: first wait, seconds */
	int outbox_retry_max;	/* outbox_retry_max: longest wait */
	int outbox_poll_ms;	/* outbox_poll_ms: idle look for due rows */
	int attachment_max_kb;	/* attachment_max_kb: one message
				   attachment's size limit in KiB */
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

/* Whether `cocare serve` runs the outbox worker: outbox_worker "on",
 * or "auto" with smtp_url or sms_url set. */
bool config_outbox_worker(const struct config *c);

/* Frees the strings (not `c` itself). */
void config_release(struct config *c);

#endif
