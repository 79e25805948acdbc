/*
 * Configuration parsing. Each key is described once in config_keys[] with
 * its type and field offset, so the file, the environment and the flags
 * all go through config_set().
 */
#include "core/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "core/banned.h"

enum config_type { CFG_STRING, CFG_INT, CFG_SIZE, CFG_BOOL, CFG_WORKER };

static const struct {
	const char *key;
	enum config_type type;
	size_t offset;
	long long min, max;
} config_keys[] = {
	{"data_dir", CFG_STRING, offsetof(struct config, data_dir), 0, 0},
	{"database", CFG_STRING, offsetof(struct config, database), 0, 0},
	{"listen", CFG_STRING, offsetof(struct config, listen), 0, 0},
	{"tls_cert", CFG_STRING, offsetof(struct config, tls_cert), 0, 0},
	{"tls_key", CFG_STRING, offsetof(struct config, tls_key), 0, 0},
	{"audit_key_file", CFG_STRING, offsetof(struct config, audit_key_file),
	 0, 0},
	{"threads", CFG_INT, offsetof(struct config, threads), 1, 256},
	{"max_connections", CFG_INT, offsetof(struct config, max_connections),
	 1, 100000},
	{"request_timeout", CFG_INT, offsetof(struct config, request_timeout),
	 1, 3600},
	{"max_body", CFG_SIZE, offsetof(struct config, max_body), 1024,
	 64LL << 20},
	{"max_upload", CFG_SIZE, offsetof(struct config, max_upload), 1024,
	 1LL << 30},
	{"session_idle", CFG_INT, offsetof(struct config, session_idle), 60,
	 86400 * 7},
	{"session_lifetime", CFG_INT,
	 offsetof(struct config, session_lifetime), 60, 86400 * 90},
	{"db_pool", CFG_INT, offsetof(struct config, db_pool), 1, 256},
	{"read_audit_delay_ms", CFG_INT,
	 offsetof(struct config, read_audit_delay_ms), 0, 10000},
	{"trust_proxy", CFG_BOOL, offsetof(struct config, trust_proxy), 0, 0},
	{"min_free_disk_mb", CFG_INT, offsetof(struct config, min_free_disk_mb),
	 0, 1 << 20},
	{"log_level", CFG_STRING, offsetof(struct config, log_level), 0, 0},
	{"public_url", CFG_STRING, offsetof(struct config, public_url), 0, 0},
	{"smtp_url", CFG_STRING, offsetof(struct config, smtp_url), 0, 0},
	{"smtp_from", CFG_STRING, offsetof(struct config, smtp_from), 0, 0},
	{"smtp_user", CFG_STRING, offsetof(struct config, smtp_user), 0, 0},
	{"smtp_password", CFG_STRING, offsetof(struct config, smtp_password),
	 0, 0},
	{"sms_url", CFG_STRING, offsetof(struct config, sms_url), 0, 0},
	{"sms_user", CFG_STRING, offsetof(struct config, sms_user), 0, 0},
	{"sms_token", CFG_STRING, offsetof(struct config, sms_token), 0, 0},
	{"outbox_worker", CFG_WORKER, offsetof(struct config, outbox_worker),
	 0, 0},
	{"outbox_max_attempts", CFG_INT,
	 offsetof(struct config, outbox_max_attempts), 1, 100},
	{"outbox_lease", CFG_INT, offsetof(struct config, outbox_lease), 2,
	 3600},
	{"outbox_timeout", CFG_INT, offsetof(struct config, outbox_timeout), 1,
	 600},
	{"outbox_retry_min", CFG_INT, offsetof(struct config, outbox_retry_min),
	 1, 86400},
	{"outbox_retry_max", CFG_INT, offsetof(struct config, outbox_retry_max),
	 1, 86400},
	{"outbox_poll_ms", CFG_INT, offsetof(struct config, outbox_poll_ms), 10,
	 60000},
	{"attachment_max_kb", CFG_INT,
	 offsetof(struct config, attachment_max_kb), 1, 1 << 20},
};

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->data_dir = xstrdup("data");
	c->database = xstrdup("");
	c->listen = xstrdup("127.0.0.1:8080");
	c->tls_cert = xstrdup("");
	c->tls_key = xstrdup("");
	c->audit_key_file = xstrdup("");
	c->log_level = xstrdup("info");
	/* Measured on 2 cores (bench/RESULTS.md): enough workers to share
	 * each group commit, few enough to keep read latency low. */
	c->threads = 5;
	c->max_connections = 1024;
	c->request_timeout = 30;
	c->max_body = 1 << 20;
	c->max_upload = 16 << 20;
	c->session_idle = 30 * 60;
	c->session_lifetime = 12 * 3600;
	c->db_pool = 16;
	c->read_audit_delay_ms = 100;
	c->trust_proxy = false;
	c->min_free_disk_mb = 16;
	c->public_url = xstrdup("");
	c->smtp_url = xstrdup("");
	c->smtp_from = xstrdup("cocare <noreply@localhost>");
	c->smtp_user = xstrdup("");
	c->smtp_password = xstrdup("");
	c->sms_url = xstrdup("");
	c->sms_user = xstrdup("");
	c->sms_token = xstrdup("");
	c->outbox_worker = xstrdup("auto");
	c->outbox_max_attempts = 10;
	c->outbox_lease = 120;
	c->outbox_timeout = 30;
	c->outbox_retry_min = 60;
	c->outbox_retry_max = 3600;
	c->outbox_poll_ms = 1000;
	c->attachment_max_kb = 5120;
}

bool
config_outbox_worker(const struct config *c)
{
	if (!strcmp(c->outbox_worker, "on"))
		return true;
	return !strcmp(c->outbox_worker, "auto") &&
	       (c->smtp_url[0] || c->sms_url[0]);
}

bool
config_set(struct config *c, const char *key, const char *value)
{
	size_t i;
	int64_t v;
	char *p;

	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		void *field = (char *)c + config_keys[i].offset;

		if (strcmp(config_keys[i].key, key) != 0)
			continue;
		switch (config_keys[i].type) {
		case CFG_WORKER:
			if (strcmp(value, "auto") && strcmp(value, "on") &&
			    strcmp(value, "off"))
				return false;
			/* fall through */
		case CFG_STRING:
			p = xstrdup(value);
			if (!p)
				return false;
			free(*(char **)field);
			*(char **)field = p;
			return true;
		case CFG_INT:
		case CFG_SIZE:
			if (!str_to_i64(str_c(value), config_keys[i].min,
					config_keys[i].max, &v))
				return false;
			if (config_keys[i].type == CFG_INT)
				*(int *)field = (int)v;
			else
				*(size_t *)field = (size_t)v;
			return true;
		case CFG_BOOL:
			if (!strcmp(value, "true") || !strcmp(value, "1") ||
			    !strcmp(value, "yes"))
				*(bool *)field = true;
			else if (!strcmp(value, "false") ||
				 !strcmp(value, "0") || !strcmp(value, "no"))
				*(bool *)field = false;
			else
				return false;
			return true;
		}
	}
	return false;
}

static bool
config_file(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0;

	if (!f) {
		snprintf(err, errlen, "cannot open config file '%s'", path);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		struct str l, key, val;
		char *eq, k[64], v[4096];

		lineno++;
		l = str_trim(str_c(line));
		if (l.len == 0 || l.p[0] == '#')
			continue;
		eq = memchr(l.p, '=', l.len);
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected key = value",
				 path, lineno);
			goto fail;
		}
		key = str_trim((struct str){l.p, (size_t)(eq - l.p)});
		val = str_trim((struct str){eq + 1,
					    l.len - (size_t)(eq - l.p) - 1});
		if (key.len >= sizeof(k) || val.len >= sizeof(v)) {
			snprintf(err, errlen, "%s:%d: line too long", path,
				 lineno);
			goto fail;
		}
		memcpy(k, key.p, key.len);
		k[key.len] = '\0';
		memcpy(v, val.p, val.len);
		v[val.len] = '\0';
		if (!config_set(c, k, v)) {
			snprintf(err, errlen, "%s:%d: bad value for '%s'",
				 path, lineno, k);
			goto fail;
		}
	}
	fclose(f);
	return true;
fail:
	fclose(f);
	return false;
}

bool
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	size_t i, j;
	char env[64];
	const char *v;

	if (path && !config_file(c, path, err, errlen))
		return false;
	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		const char *k = config_keys[i].key;

		snprintf(env, sizeof(env), "COCARE_");
		for (j = 0; k[j] && j + 8 < sizeof(env); j++)
			env[7 + j] = (char)toupper((unsigned char)k[j]);
		env[7 + j] = '\0';
		v = getenv(env);
		if (v && !config_set(c, k, v)) {
			snprintf(err, errlen, "bad value in environment '%s'",
				 env);
			return false;
		}
	}
	return true;
}

static char *
join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *
config_sqlite_path(const struct config *c)
{
	return join_path(c->data_dir, "cocare.db");
}

char *
config_audit_key_path(const struct config *c)
{
	if (c->audit_key_file[0])
		return xstrdup(c->audit_key_file);
	return join_path(c->data_dir, "audit.key");
}

void
config_release(struct config *c)
{
	size_t i;

	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (config_keys[i].type == CFG_STRING ||
		    config_keys[i].type == CFG_WORKER)
			free(*(char **)((char *)c + config_keys[i].offset));
	memset(c, 0, sizeof(*c));
}
