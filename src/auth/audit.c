/*
 * Audit chain (see audit.h): hashing, appending under the chain lock,
 * asynchronous read events, verification and the patient's access list.
 */
#include "auth/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/actor.h"
#include "core/oserr.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/log.h"
#include "store/store.h"
#include "core/banned.h"

#define HASH_HEX (crypto_generichash_BYTES * 2)

enum err
audit_key_load(const char *path, bool create, struct audit_key *out,
	       char *msg, size_t msglen)
{
	char hex[AUDIT_KEY_BYTES * 2 + 2];
	size_t bin_len;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		randombytes_buf(out->k, sizeof(out->k));
		hex_encode(out->k, sizeof(out->k), hex);
		hex[AUDIT_KEY_BYTES * 2] = '\n';
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0600);
		if (fd < 0 || write(fd, hex, AUDIT_KEY_BYTES * 2 + 1) !=
				      AUDIT_KEY_BYTES * 2 + 1 ||
		    fsync(fd) != 0) {
			snprintf(msg, msglen, "cannot write the audit key "
				 "'%s': %s; %s", path, strerror(errno),
				 oserr_fix(errno));
			if (fd >= 0)
				close(fd);
			return ERR_IO;
		}
		close(fd);
		return ERR_OK;
	}
	if (fd < 0 && errno == ENOENT) {
		snprintf(msg, msglen, "there is no audit key '%s': run "
			 "'cocare init' first, or point data_dir (or "
			 "audit_key_file) at the right place", path);
		return ERR_IO;
	}
	if (fd < 0) {
		snprintf(msg, msglen, "cannot read the audit key '%s': %s; "
			 "%s", path, strerror(errno), oserr_fix(errno));
		return ERR_IO;
	}
	n = read(fd, hex, sizeof(hex) - 1);
	close(fd);
	if (n < AUDIT_KEY_BYTES * 2 ||
	    sodium_hex2bin(out->k, sizeof(out->k), hex, AUDIT_KEY_BYTES * 2,
			   NULL, &bin_len, NULL) != 0 ||
	    bin_len != AUDIT_KEY_BYTES) {
		snprintf(msg, msglen, "the audit key '%s' is not 64 hex "
			 "digits; restore it from a backup", path);
		return ERR_IO;
	}
	return ERR_OK;
}

/* Feeds one field as "<length>:<bytes>;" so no two events hash alike. */
static void
hash_field(crypto_generichash_state *h, const char *s)
{
	char len[24];
	size_t n = s ? strlen(s) : 0;

	snprintf(len, sizeof(len), "%zu:", n);
	crypto_generichash_update(h, (const unsigned char *)len, strlen(len));
	if (n)
		crypto_generichash_update(h, (const unsigned char *)s, n);
	crypto_generichash_update(h, (const unsigned char *)";", 1);
}

static void
hash_int(crypto_generichash_state *h, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	hash_field(h, s);
}

static void
event_hash(const struct audit_key *key, int64_t seq,
	   const struct audit_event *e, const char *prev,
	   char out[HASH_HEX + 1])
{
	unsigned char raw[crypto_generichash_BYTES];
	crypto_generichash_state h;

	crypto_generichash_init(&h, key->k, sizeof(key->k), sizeof(raw));
	hash_int(&h, seq);
	hash_int(&h, e->org_id);
	hash_int(&h, e->at_ms);
	hash_int(&h, e->actor_id);
	hash_field(&h, e->actor_role);
	hash_field(&h, e->action);
	hash_field(&h, e->resource_type);
	hash_field(&h, e->resource_id);
	hash_int(&h, e->patient_id);
	hash_field(&h, e->outcome);
	hash_field(&h, e->detail);
	hash_field(&h, prev);
	crypto_generichash_final(&h, raw, sizeof(raw));
	hex_encode(raw, sizeof(raw), out);
}

static const char sql_head[] = "SELECT seq, hash FROM audit_head WHERE id = 1";
static const char sql_insert[] =
	"INSERT INTO audit_event (seq, org_id, at_ms, actor_id, actor_role, "
	"action, resource_type, resource_id, patient_id, outcome, detail, "
	"prev_hash, hash) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
static const char sql_head_set[] =
	"INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) "
	"ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, "
	"hash = excluded.hash";

static const char *
nz(const char *s)
{
	return s ? s : "";
}

enum err
audit_append(struct db *db, const struct audit_key *key,
	     const struct audit_event *e, int64_t *seq_out)
{
	char prev[HASH_HEX + 1] = "", hash[HASH_HEX + 1];
	int64_t seq = 0;
	struct stmt *st;
	enum err err;

	/* Write transactions run one at a time (db_begin in store.h). */
	if (!(st = db_prepare(db, sql_head)))
		return ERR_DB;
	if (stmt_row(st)) {
		const char *h = stmt_text(st, 1);

		seq = stmt_int(st, 0);
		if (h && strlen(h) == HASH_HEX)
			memcpy(prev, h, HASH_HEX + 1);
	}
	if ((err = stmt_done(st)) != ERR_OK)
		return err;
	seq++;
	event_hash(key, seq, e, prev, hash);

	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, seq);
	stmt_bind_int(st, 2, e->org_id);
	stmt_bind_int(st, 3, e->at_ms);
	stmt_bind_int(st, 4, e->actor_id);
	stmt_bind_str(st, 5, nz(e->actor_role));
	stmt_bind_str(st, 6, nz(e->action));
	stmt_bind_str(st, 7, nz(e->resource_type));
	stmt_bind_str(st, 8, nz(e->resource_id));
	stmt_bind_int(st, 9, e->patient_id);
	stmt_bind_str(st, 10, nz(e->outcome));
	stmt_bind_str(st, 11, nz(e->detail));
	stmt_bind_str(st, 12, prev);
	stmt_bind_str(st, 13, hash);
	if ((err = stmt_exec(st)) != ERR_OK)
		return err;

	if (!(st = db_prepare(db, sql_head_set)))
		return ERR_DB;
	stmt_bind_int(st, 1, seq);
	stmt_bind_str(st, 2, hash);
	if ((err = stmt_exec(st)) != ERR_OK)
		return err;
	if (seq_out)
		*seq_out = seq;
	return ERR_OK;
}

struct audit_event
audit_event_for(const struct ctx *c, const char *action,
		const char *resource_type, const char *resource_id,
		int64_t patient_id, const char *outcome)
{
	struct audit_event e = {
		.org_id = c->actor.org_id,
		.actor_id = c->actor.account_id,
		.actor_role = role_name(c->actor.role),
		.action = action,
		.resource_type = resource_type,
		.resource_id = resource_id ? resource_id : "",
		.patient_id = patient_id,
		.outcome = outcome,
		.detail = "",
		.at_ms = clock_now_ms(),
	};

	return e;
}

/* An event copied into one malloc'd block: the request arena is gone by
 * the time the writer runs. */
struct audit_job {
	const struct audit_key *key;
	struct audit_event e;
	char text[];
};

static enum err
audit_job_run(struct db *db, void *arg)
{
	struct audit_job *j = arg;

	return audit_append(db, j->key, &j->e, NULL);
}

static char *
copy_into(char **p, const char *s)
{
	char *start = *p;
	size_t n = strlen(nz(s)) + 1;

	memcpy(start, nz(s), n);
	*p += n;
	return start;
}

enum err
audit_record_async(struct ctx *c, const struct audit_event *e)
{
	size_t n = strlen(nz(e->actor_role)) + strlen(nz(e->action)) +
		   strlen(nz(e->resource_type)) + strlen(nz(e->resource_id)) +
		   strlen(nz(e->outcome)) + strlen(nz(e->detail)) + 6;
	struct audit_job *j = malloc(sizeof(*j) + n);
	char *p;

	if (!j)
		return ERR_NOMEM;
	j->key = c->audit_key;
	j->e = *e;
	p = j->text;
	j->e.actor_role = copy_into(&p, e->actor_role);
	j->e.action = copy_into(&p, e->action);
	j->e.resource_type = copy_into(&p, e->resource_type);
	j->e.resource_id = copy_into(&p, e->resource_id);
	j->e.outcome = copy_into(&p, e->outcome);
	j->e.detail = copy_into(&p, e->detail);
	return store_write_async(c->store, audit_job_run, j, free);
}

static const char sql_all[] =
	"SELECT seq, org_id, at_ms, actor_id, actor_role, action, "
	"resource_type, resource_id, patient_id, outcome, detail, prev_hash, "
	"hash FROM audit_event ORDER BY seq";

static enum err
verify_fail(struct audit_problem *p, int64_t seq, const char *what)
{
	p->seq = seq;
	snprintf(p->what, sizeof(p->what), "%s", what);
	return ERR_INVALID;
}

enum err
audit_verify(struct db *db, const struct audit_key *key, int64_t *count,
	     struct audit_problem *problem)
{
	char prev[HASH_HEX + 1] = "", hash[HASH_HEX + 1];
	char at_head[HASH_HEX + 1] = "";
	int64_t expect = 1, head_seq = 0;
	char head_hash[HASH_HEX + 1] = "";
	enum err err, result = ERR_OK;
	struct stmt *st;

	memset(problem, 0, sizeof(*problem));
	*count = 0;
	if (!(st = db_prepare(db, sql_head)))
		return ERR_DB;
	if (stmt_row(st)) {
		head_seq = stmt_int(st, 0);
		snprintf(head_hash, sizeof(head_hash), "%s",
			 nz(stmt_text(st, 1)));
	}
	if ((err = stmt_done(st)) != ERR_OK)
		return err;

	if (!(st = db_prepare(db, sql_all)))
		return ERR_DB;
	while (result == ERR_OK && stmt_row(st)) {
		struct audit_event e;
		int64_t seq = stmt_int(st, 0);
		const char *stored_prev = nz(stmt_text(st, 11));

		e.org_id = stmt_int(st, 1);
		e.at_ms = stmt_int(st, 2);
		e.actor_id = stmt_int(st, 3);
		e.actor_role = nz(stmt_text(st, 4));
		e.action = nz(stmt_text(st, 5));
		e.resource_type = nz(stmt_text(st, 6));
		e.resource_id = nz(stmt_text(st, 7));
		e.patient_id = stmt_int(st, 8);
		e.outcome = nz(stmt_text(st, 9));
		e.detail = nz(stmt_text(st, 10));
		if (seq != expect) {
			result = verify_fail(problem, expect,
					     "entry missing or out of order");
			break;
		}
		if (strcmp(stored_prev, prev) != 0) {
			result = verify_fail(problem, seq,
					     "does not follow the previous "
					     "entry");
			break;
		}
		event_hash(key, seq, &e, prev, hash);
		if (strcmp(hash, nz(stmt_text(st, 12))) != 0) {
			result = verify_fail(problem, seq,
					     "contents were changed");
			break;
		}
		memcpy(prev, hash, sizeof(prev));
		if (seq == head_seq)
			memcpy(at_head, hash, sizeof(at_head));
		expect++;
		(*count)++;
	}
	if ((err = stmt_done(st)) != ERR_OK)
		return err;
	if (result != ERR_OK)
		return result;
	/*
	 * The head was read first, so a running server may have appended
	 * entries since: there may be more entries than the head says, never
	 * fewer, and the head must name one of them exactly.
	 */
	if (*count < head_seq)
		return verify_fail(problem, *count + 1,
				   "newest entries were removed");
	if (*count > 0 && head_seq == 0)
		return verify_fail(problem, 1, "the chain head is missing");
	if (head_seq > 0 && strcmp(head_hash, at_head) != 0)
		return verify_fail(problem, head_seq,
				   "does not match the chain head");
	return ERR_OK;
}

#define SELECT_AUDIT                                                       \
	"SELECT e.seq, e.org_id, e.at_ms, e.actor_id, "                    \
	"COALESCE(a.display_name, ''), COALESCE(a.patient_id, 0), "        \
	"e.actor_role, e.action, e.resource_type, e.resource_id, "         \
	"e.patient_id, COALESCE(p.org_id, 0), e.outcome, e.detail, "       \
	"e.prev_hash, e.hash FROM audit_event e "                          \
	"LEFT JOIN account a ON a.id = e.actor_id "                        \
	"LEFT JOIN patient p ON p.id = e.patient_id "
/* After "WHERE e.patient_id = $1" or "WHERE e.org_id = $1": the actor
 * ($2, $3: 0 for anyone) and the time ([$4, $5)). */
#define SEARCH_AND                                                         \
	"AND (CAST($2 AS BIGINT) = 0 OR e.actor_id = $2) "                 \
	"AND (CAST($3 AS BIGINT) = 0 OR a.patient_id = $3) "               \
	"AND e.at_ms >= $4 AND e.at_ms < $5 "
#define BY_PATIENT "WHERE e.patient_id = $1 " SEARCH_AND
#define BY_ORG "WHERE e.org_id = $1 " SEARCH_AND
/* Pages continue after the last seq shown ($6). */
#define NEWEST "AND e.seq < $6 ORDER BY e.seq DESC LIMIT $7"
#define OLDEST "AND e.seq > $6 ORDER BY e.seq LIMIT $7"
#define COUNT_AUDIT                                                        \
	"SELECT count(*) FROM audit_event e "                              \
	"LEFT JOIN account a ON a.id = e.actor_id "

static const char sql_get[] = SELECT_AUDIT "WHERE e.seq = $1";
static const char sql_patient_desc[] = SELECT_AUDIT BY_PATIENT NEWEST;
static const char sql_patient_asc[] = SELECT_AUDIT BY_PATIENT OLDEST;
static const char sql_org_desc[] = SELECT_AUDIT BY_ORG NEWEST;
static const char sql_org_asc[] = SELECT_AUDIT BY_ORG OLDEST;
static const char sql_patient_count[] = COUNT_AUDIT BY_PATIENT;
static const char sql_org_count[] = COUNT_AUDIT BY_ORG;

static void
read_row(struct stmt *st, struct arena *a, void *out)
{
	struct audit_row *r = out;

	r->seq = stmt_int(st, 0);
	r->org_id = stmt_int(st, 1);
	r->at_ms = stmt_int(st, 2);
	r->actor_id = stmt_int(st, 3);
	r->actor_name = stmt_text_dup(st, 4, a);
	r->actor_patient_id = stmt_int(st, 5);
	r->actor_role = stmt_text_dup(st, 6, a);
	r->action = stmt_text_dup(st, 7, a);
	r->resource_type = stmt_text_dup(st, 8, a);
	r->resource_id = stmt_text_dup(st, 9, a);
	r->patient_id = stmt_int(st, 10);
	r->patient_org_id = stmt_int(st, 11);
	r->outcome = stmt_text_dup(st, 12, a);
	r->detail = stmt_text_dup(st, 13, a);
	r->prev_hash = stmt_text_dup(st, 14, a);
	r->hash = stmt_text_dup(st, 15, a);
}

static void
bind_search(struct stmt *st, const struct audit_query *q)
{
	stmt_bind_int(st, 1, q->patient_id ? q->patient_id : q->org_id);
	stmt_bind_int(st, 2, q->actor_id);
	stmt_bind_int(st, 3, q->actor_patient_id);
	stmt_bind_int(st, 4, q->from_ms);
	stmt_bind_int(st, 5, q->to_ms);
}

enum err
audit_search(struct db *db, struct arena *a, const struct audit_query *q,
	     struct audit_row **rows, size_t *count)
{
	size_t max = q->limit > AUDIT_LIST_MAX ? AUDIT_LIST_MAX : q->limit;
	struct stmt *st;

	*rows = NULL;
	*count = 0;
	if (q->patient_id)
		st = db_prepare(db, q->oldest_first ? sql_patient_asc
						    : sql_patient_desc);
	else
		st = db_prepare(db, q->oldest_first ? sql_org_asc
						    : sql_org_desc);
	if (!st)
		return ERR_DB;
	bind_search(st, q);
	if (q->after_seq)
		stmt_bind_int(st, 6, q->after_seq);
	else
		stmt_bind_int(st, 6, q->oldest_first ? 0 : INT64_MAX);
	stmt_bind_int(st, 7, (int64_t)max);
	return stmt_list(st, a, sizeof(**rows), max, read_row, rows, count);
}

enum err
audit_search_count(struct db *db, const struct audit_query *q, int64_t *out)
{
	struct stmt *st = db_prepare(db, q->patient_id ? sql_patient_count
						       : sql_org_count);

	*out = 0;
	if (!st)
		return ERR_DB;
	bind_search(st, q);
	if (stmt_row(st))
		*out = stmt_int(st, 0);
	return stmt_done(st);
}

enum err
audit_get(struct db *db, struct arena *a, int64_t seq, struct audit_row *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, seq);
	return stmt_get(st, a, read_row, out);
}

enum err
audit_list_for_patient(struct db *db, struct arena *a, int64_t patient_id,
		       int64_t before, int limit, struct audit_row **rows,
		       size_t *count)
{
	struct audit_query q = {
		.patient_id = patient_id,
		.from_ms = INT64_MIN,
		.to_ms = INT64_MAX,
		.after_seq = before,
		.limit = (size_t)limit,
	};

	*rows = NULL;
	*count = 0;
	if (limit <= 0 || limit > 1000 || !patient_id)
		return ERR_INVALID;
	return audit_search(db, a, &q, rows, count);
}
