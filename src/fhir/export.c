/*
 * Bulk data export (see export.h): the jobs and files in the database,
 * and the worker that makes them.
 */
#include "fhir/export.h"

#include <pthread.h>
#include <sodium.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/account.h"
#include "auth/actor.h"
#include "auth/audit.h"
#include "auth/write.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/log.h"
#include "fhir/pseudonym.h"
#include "fhir/reading_map.h"
#include "fhir/resource.h"
#include "measures/reading_store.h"
#include "people/patient.h"
#include "people/research.h"
#include "store/store.h"
#include "core/banned.h"

#define EXPORT_RES "Export"	/* audit and provenance type */
#define ARENA_CAP (64u << 20)

static const char *const type_names[] = {"Patient", "Observation"};
#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

#define JOB_COLS                                                           \
	"id, org_id, account_id, scopes, level, group_id, types, since_ms, " \
	"request, status, done, total, error, created_ms, finished_ms "

static const char sql_insert[] =
	"INSERT INTO fhir_export (id, org_id, account_id, scopes, level, "
	"group_id, types, since_ms, request, status, lease_until_ms, done, "
	"total, error, created_ms, finished_ms) VALUES ($1, $2, $3, $4, $5, "
	"$6, $7, $8, $9, 'queued', 0, 0, 0, '', $10, 0)";
static const char sql_get[] =
	"SELECT " JOB_COLS "FROM fhir_export WHERE id = $1 AND account_id = $2";
static const char sql_get_any[] =
	"SELECT " JOB_COLS "FROM fhir_export WHERE id = $1";
static const char sql_files[] =
	"SELECT type, part, lines FROM fhir_export_file WHERE export_id = $1 "
	"ORDER BY type, part";
static const char sql_file[] =
	"SELECT body FROM fhir_export_file WHERE export_id = $1 AND type = $2 "
	"AND part = $3";
static const char sql_drop_files[] =
	"DELETE FROM fhir_export_file WHERE export_id = $1";
static const char sql_drop_job[] = "DELETE FROM fhir_export WHERE id = $1";
static const char sql_drop_old_files[] =
	"DELETE FROM fhir_export_file WHERE export_id IN "
	"(SELECT id FROM fhir_export WHERE created_ms < $1)";
static const char sql_drop_old[] =
	"DELETE FROM fhir_export WHERE created_ms < $1";
static const char sql_due[] =
	"SELECT id FROM fhir_export WHERE status = 'queued' "
	"OR (status = 'running' AND lease_until_ms < $1) "
	"ORDER BY created_ms LIMIT 1";
static const char sql_claim[] =
	"UPDATE fhir_export SET status = 'running', lease_until_ms = $2, "
	"done = 0 WHERE id = $1 AND (status = 'queued' OR "
	"(status = 'running' AND lease_until_ms < $3))";
static const char sql_part[] =
	"INSERT INTO fhir_export_file (export_id, type, part, lines, body) "
	"VALUES ($1, $2, $3, $4, $5)";
static const char sql_progress[] =
	"UPDATE fhir_export SET done = $2, total = $3, lease_until_ms = $4 "
	"WHERE id = $1 AND status = 'running'";
static const char sql_finish[] =
	"UPDATE fhir_export SET status = $2, error = $3, finished_ms = $4, "
	"done = $5 WHERE id = $1 AND status = 'running'";

const char *
fhir_export_type_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (bit == 1u << i)
			return type_names[i];
	return NULL;
}

bool
fhir_export_types_parse(const char *list, unsigned *out, const char **bad,
			size_t *badlen)
{
	const char *p = list;
	size_t n, i;

	*out = 0;
	while (*p) {
		n = strcspn(p, ",");
		for (i = 0; i < NTYPES; i++)
			if (strlen(type_names[i]) == n &&
			    !strncmp(p, type_names[i], n))
				break;
		if (i == NTYPES) {
			*bad = p;
			*badlen = n;
			return false;
		}
		*out |= 1u << i;
		p += n;
		if (*p == ',')
			p++;
	}
	return *out != 0;
}

/* --- the jobs ----------------------------------------------------------- */

static void
read_job(struct stmt *st, struct arena *a, void *record)
{
	struct fhir_export_job *j = record;

	j->id = stmt_int(st, 0);
	j->org_id = stmt_int(st, 1);
	j->account_id = stmt_int(st, 2);
	j->scopes = stmt_text_dup(st, 3, a);
	j->level = stmt_text_dup(st, 4, a);
	j->group_id = stmt_int(st, 5);
	j->types = (unsigned)stmt_int(st, 6);
	j->since_ms = stmt_int(st, 7);
	j->request = stmt_text_dup(st, 8, a);
	j->status = stmt_text_dup(st, 9, a);
	j->done = (int)stmt_int(st, 10);
	j->total = (int)stmt_int(st, 11);
	j->error = stmt_text_dup(st, 12, a);
	j->created_ms = stmt_int(st, 13);
	j->finished_ms = stmt_int(st, 14);
}

static void
read_file(struct stmt *st, struct arena *a, void *record)
{
	struct fhir_export_file *f = record;

	f->type = stmt_text_dup(st, 0, a);
	f->part = (int)stmt_int(st, 1);
	f->lines = (int)stmt_int(st, 2);
}

static enum err
exec_id(struct db *db, const char *sql, int64_t id)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_exec(st);
}

struct start_job {
	const struct fhir_export_job *j;
	int64_t now_ms;
	bool research;		/* the organisation's key is made if new */
};

/* Stores the job, and forgets those older than a day. */
static enum err
start_fn(struct db *db, void *arg)
{
	struct start_job *s = arg;
	const struct fhir_export_job *j = s->j;
	struct stmt *st;
	enum err e;
	int64_t old = s->now_ms - FHIR_EXPORT_KEEP_MS;

	if (!(st = db_prepare(db, sql_drop_old_files)))
		return ERR_DB;
	stmt_bind_int(st, 1, old);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_drop_old)))
		return ERR_DB;
	stmt_bind_int(st, 1, old);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	if (s->research) {
		unsigned char key[PSEUDONYM_KEY_LEN];

		e = research_key_ensure(db, j->org_id, key);
		sodium_memzero(key, sizeof(key));
		if (e != ERR_OK)
			return e;
	}
	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->id);
	stmt_bind_int(st, 2, j->org_id);
	stmt_bind_int(st, 3, j->account_id);
	stmt_bind_str(st, 4, j->scopes);
	stmt_bind_str(st, 5, j->level);
	stmt_bind_int(st, 6, j->group_id);
	stmt_bind_int(st, 7, j->types);
	stmt_bind_int(st, 8, j->since_ms);
	stmt_bind_str(st, 9, j->request);
	stmt_bind_int(st, 10, s->now_ms);
	return stmt_exec(st);
}

enum err
fhir_export_start(struct fhir_call *c, struct fhir_export_job *j)
{
	struct write_info wi = {"export", EXPORT_RES, "", 0, NULL, NULL, NULL};
	struct start_job s = {j, clock_now_ms(), c->scopes.research};

	j->id = id_new();
	j->org_id = c->ctx->actor.org_id;
	j->account_id = c->ctx->actor.account_id;
	wi.resource_id = arena_printf(c->ctx->a, "%lld", (long long)j->id);
	wi.detail = c->scopes.research ? "research" : j->level;
	return write_commit(c->ctx, &wi, start_fn, &s);
}

enum err
fhir_export_get(struct fhir_call *c, int64_t id, struct fhir_export_job *j,
		struct fhir_export_file **files, size_t *n)
{
	struct stmt *st = db_prepare(c->ctx->db, sql_get);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, c->ctx->actor.account_id);
	if ((e = stmt_get(st, c->ctx->a, read_job, j)) != ERR_OK)
		return e;
	if (!(st = db_prepare(c->ctx->db, sql_files)))
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_list(st, c->ctx->a, sizeof(**files), 10000, read_file,
			 files, n);
}

enum err
fhir_export_file_body(struct fhir_call *c, int64_t id, const char *type,
		      int part, const char **body, size_t *len)
{
	struct fhir_export_job j;
	struct stmt *st;
	enum err e;

	/* Only the person who asked. */
	if (!(st = db_prepare(c->ctx->db, sql_get)))
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, c->ctx->actor.account_id);
	if ((e = stmt_get(st, c->ctx->a, read_job, &j)) != ERR_OK)
		return e;
	if (!(st = db_prepare(c->ctx->db, sql_file)))
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_str(st, 2, type);
	stmt_bind_int(st, 3, part);
	if (!stmt_row(st)) {
		e = stmt_done(st);
		return e != ERR_OK ? e : ERR_NOT_FOUND;
	}
	*body = stmt_text_dup(st, 0, c->ctx->a);
	*len = *body ? strlen(*body) : 0;
	e = stmt_done(st);
	return e == ERR_OK && !*body ? ERR_NOMEM : e;
}

static enum err
cancel_fn(struct db *db, void *arg)
{
	int64_t id = *(int64_t *)arg;
	enum err e = exec_id(db, sql_drop_files, id);

	return e != ERR_OK ? e : exec_id(db, sql_drop_job, id);
}

enum err
fhir_export_cancel(struct fhir_call *c, int64_t id)
{
	struct write_info wi = {"delete", EXPORT_RES, "", 0, NULL, NULL, NULL};
	struct fhir_export_job j;
	struct fhir_export_file *f;
	size_t n;
	enum err e = fhir_export_get(c, id, &j, &f, &n);

	if (e != ERR_OK)
		return e;
	wi.resource_id = arena_printf(c->ctx->a, "%lld", (long long)id);
	return write_commit(c->ctx, &wi, cancel_fn, &id);
}

/* --- the worker --------------------------------------------------------- */

struct fhir_exporter {
	struct store *store;
	const struct audit_key *key;
	int poll_ms;
	int lease_s;
	pthread_t thread;
	bool running;
	atomic_bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* One type's file being filled: NDJSON lines, malloc'd (it outgrows a
 * request's arena on a large export). */
struct part {
	char *p;
	size_t len, cap;
	int lines;
	int number;
};

/* The making of one job. */
struct run {
	struct fhir_exporter *x;
	struct fhir_export_job job;
	struct ctx ctx;
	struct fhir_call call;
	struct part part[NTYPES];
	bool research;		/* pseudonymised, consenting patients only */
	unsigned char key[PSEUDONYM_KEY_LEN];
	int done, total;
	bool gone;		/* cancelled meanwhile, or lease lost */
};

static bool
part_add(struct part *p, const char *line, size_t n)
{
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1 << 16;
		char *q;

		while (cap < p->len + n + 1)
			cap *= 2;
		if (!(q = realloc(p->p, cap)))
			return false;
		p->p = q;
		p->cap = cap;
	}
	memcpy(p->p + p->len, line, n);
	p->len += n;
	p->p[p->len++] = '\n';
	p->lines++;
	return true;
}

struct part_job {
	struct run *r;
	size_t type;
	bool final;
};

/* Stores a type's file and how far the job is, renewing the lease. */
static enum err
part_fn(struct db *db, void *arg)
{
	struct part_job *pj = arg;
	struct run *r = pj->r;
	struct part *p = &r->part[pj->type];
	struct stmt *st = db_prepare(db, sql_progress);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, r->job.id);
	stmt_bind_int(st, 2, r->done);
	stmt_bind_int(st, 3, r->total);
	stmt_bind_int(st, 4, clock_now_ms() + r->x->lease_s * 1000LL);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	if (stmt_changes(st) == 0) {
		r->gone = true;
		return ERR_NOT_FOUND;
	}
	if (!p->lines)
		return ERR_OK;
	if (!(st = db_prepare(db, sql_part)))
		return ERR_DB;
	stmt_bind_int(st, 1, r->job.id);
	stmt_bind_str(st, 2, type_names[pj->type]);
	stmt_bind_int(st, 3, p->number);
	stmt_bind_int(st, 4, p->lines);
	stmt_bind_text(st, 5, p->p, p->len);
	return stmt_exec(st);
}

/* Writes type `t`'s file when full (or `force`), audited as the person
 * who asked; ERR_OK also when there was nothing to write. */
static enum err
flush(struct run *r, size_t t, bool force)
{
	struct write_info wi = {"export", EXPORT_RES, "", 0, "file", NULL,
				NULL};
	struct part_job pj = {r, t, force};
	struct part *p = &r->part[t];
	enum err e;

	if (!p->lines || (!force && p->lines < FHIR_EXPORT_PART_LINES))
		return ERR_OK;
	wi.resource_id = arena_printf(r->ctx.a, "%lld",
				      (long long)r->job.id);
	if ((e = write_commit(&r->ctx, &wi, part_fn, &pj)) != ERR_OK)
		return e;
	p->number++;
	p->len = 0;
	p->lines = 0;
	return ERR_OK;
}

/* Adds resource `res` of patient `pid` (taken) to file `t`: as it is,
 * or pseudonymised for research. */
static enum err
add_line(struct run *r, size_t t, json_t *res, int64_t pid)
{
	char *s;
	bool ok;

	if (res && r->research) {
		json_t *p = fhir_pseudonymise(r->key, res, pid);

		json_decref(res);
		res = p;
	}
	s = res ? json_dumps(res, JSON_COMPACT | JSON_REAL_PRECISION(15))
		: NULL;
	ok = s && part_add(&r->part[t], s, strlen(s));

	free(s);
	json_decref(res);
	if (!ok)
		return ERR_NOMEM;
	return flush(r, t, false);
}

/*
 * Whether the job may hold `type` of patient `pid`: the access policy
 * for `res`, or, for research, the organisation's research permission
 * (checked when the job starts) and the patient's consent (checked by
 * the caller) in place of a care relationship; the token's scopes in
 * both cases.
 */
static bool
may_export(struct run *r, const char *type, int64_t pid, enum resource res)
{
	if (r->research)
		return (scopes_allowed(&r->call.scopes, &r->ctx.actor, pid,
				       type) &
			SCOPE_READ) != 0;
	return fhir_may(&r->call, type, SCOPE_READ, pid, res);
}

/* One patient's resources of the job's types that changed since. */
static enum err
export_patient(struct run *r, struct arena *a, int64_t pid)
{
	struct audit_event ev;
	struct patient p;
	enum err e;

	r->ctx.a = a;
	if (r->research) {
		bool given;

		/* The patient's answer now decides, not the one when the
		 * export was asked for. */
		if ((e = research_consent_given(r->ctx.db, pid, &given)) !=
		    ERR_OK)
			return e;
		if (!given)
			return ERR_OK;
	}
	if ((r->job.types & FHIR_EXPORT_PATIENT) &&
	    may_export(r, "Patient", pid, RES_PROFILE)) {
		if ((e = patient_get(r->ctx.db, a, pid, &p)) != ERR_OK)
			return e;
		if (p.updated_at * 1000 >= r->job.since_ms &&
		    (e = add_line(r, 0, fhir_patient_json(&p), pid)) != ERR_OK)
			return e;
	}
	if ((r->job.types & FHIR_EXPORT_OBSERVATION) &&
	    may_export(r, "Observation", pid, RES_MEASURES)) {
		struct reading_query q = {.patient_id = pid,
					  .from_ms = INT64_MIN,
					  .to_ms = INT64_MAX,
					  .entered_from_ms = r->job.since_ms,
					  .oldest_first = true,
					  .limit = READING_LIST_MAX};
		struct reading *rows;
		size_t n, i;

		do {
			if ((e = reading_search(r->ctx.db, a, &q, &rows, &n)) !=
			    ERR_OK)
				return e;
			for (i = 0; i < n; i++)
				if ((e = add_line(r, 1,
						       fhir_reading_json(&rows[i]),
						       pid)) != ERR_OK)
					return e;
			if (n) {
				q.has_after = true;
				q.after_ms = rows[n - 1].at_ms;
				q.after_id = rows[n - 1].id;
			}
		} while (n == q.limit);
	}
	ev = audit_event_for(&r->ctx, "export", "Patient",
			     arena_printf(a, "%lld", (long long)pid), pid,
			     "success");
	ev.detail = r->research ? "research" : "bulk";
	return audit_record_async(&r->ctx, &ev);
}

/* The patients of the job, by id: one unit's, or the organisation's; a
 * patient's own token has only their record. */
static enum err
patients(struct run *r, struct arena *a, int64_t **ids, size_t *n)
{
	struct patient_query q = {.org_id = r->job.org_id, .limit = 1000};
	struct patient *rows;
	size_t cap = 0, k;
	enum err e;

	*ids = NULL;
	*n = 0;
	if (r->ctx.actor.patient_id) {
		if (!(*ids = arena_alloc(a, sizeof(**ids))))
			return ERR_NOMEM;
		(*ids)[(*n)++] = r->ctx.actor.patient_id;
		return ERR_OK;
	}
	if (!strcmp(r->job.level, "group"))
		q.unit_id = r->job.group_id;
	do {
		if ((e = patient_find(r->ctx.db, a, &q, &rows, &k)) != ERR_OK)
			return e;
		if (*n + k > cap) {
			size_t want = (cap ? cap * 2 : 1024) + k;
			int64_t *more = arena_alloc(a, want * sizeof(*more));

			if (!more)
				return ERR_NOMEM;
			if (*n)
				memcpy(more, *ids, *n * sizeof(*more));
			*ids = more;
			cap = want;
		}
		for (size_t i = 0; i < k; i++)
			(*ids)[(*n)++] = rows[i].id;
		if (k)
			q.after_id = rows[k - 1].id;
	} while (k == q.limit);
	return ERR_OK;
}

static enum err
finish_fn(struct db *db, void *arg)
{
	struct run *r = arg;
	struct stmt *st = db_prepare(db, sql_finish);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, r->job.id);
	stmt_bind_str(st, 2, r->job.status);
	stmt_bind_str(st, 3, r->job.error);
	stmt_bind_int(st, 4, clock_now_ms());
	stmt_bind_int(st, 5, r->done);
	return stmt_exec(st);
}

/* Makes the job claimed in `r`. */
static enum err
run_job(struct run *r, struct arena *ja)
{
	struct account acc;
	int64_t *ids;
	size_t n, i, t;
	enum err e;

	if ((e = account_get(r->ctx.db, ja, r->job.account_id, &acc)) !=
	    ERR_OK || acc.disabled) {
		r->job.error = "The person who asked no longer has an account "
			       "in force.";
		return ERR_FORBIDDEN;
	}
	r->ctx.actor.account_id = acc.id;
	r->ctx.actor.org_id = acc.org_id;
	r->ctx.actor.role = acc.role;
	r->ctx.actor.patient_id = acc.patient_id;
	r->ctx.actor.name = acc.display_name;
	if (!scopes_parse(r->job.scopes, &r->call.scopes, NULL)) {
		r->job.error = "The token's scopes are not valid.";
		return ERR_FORBIDDEN;
	}
	if ((r->research = r->call.scopes.research)) {
		if (!policy_org_allows(&r->ctx.actor, r->job.org_id,
				       ORG_RESEARCH_EXPORT)) {
			r->job.error = "The person who asked may no longer "
				       "make research exports.";
			return ERR_FORBIDDEN;
		}
		if ((e = research_key_get(r->ctx.db, r->job.org_id,
					  r->key)) != ERR_OK)
			return e;
	}
	if ((e = patients(r, ja, &ids, &n)) != ERR_OK)
		return e;
	r->total = (int)n;
	for (i = 0; i < n && !r->gone && !atomic_load(&r->x->stop); i++) {
		struct arena *a = arena_new(ARENA_CAP);

		if (!a)
			return ERR_NOMEM;
		r->ctx.now = clock_now();
		r->ctx.memo_patient = 0;
		e = export_patient(r, a, ids[i]);
		r->ctx.a = ja;
		arena_free(a);
		if (e != ERR_OK)
			return e;
		r->done++;
	}
	if (r->gone || atomic_load(&r->x->stop))
		return ERR_UNAVAILABLE;
	for (t = 0; t < NTYPES; t++)
		if ((e = flush(r, t, true)) != ERR_OK)
			return e;
	return ERR_OK;
}

struct claim_job {
	int64_t now_ms, until_ms;
	int64_t id;
};

static enum err
claim_fn(struct db *db, void *arg)
{
	struct claim_job *cj = arg;
	struct stmt *st = db_prepare(db, sql_due);
	enum err e;

	cj->id = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, cj->now_ms);
	if (stmt_row(st))
		cj->id = stmt_int(st, 0);
	if ((e = stmt_done(st)) != ERR_OK || !cj->id)
		return e;
	if (!(st = db_prepare(db, sql_claim)))
		return ERR_DB;
	stmt_bind_int(st, 1, cj->id);
	stmt_bind_int(st, 2, cj->until_ms);
	stmt_bind_int(st, 3, cj->now_ms);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	/* A job taken over after a crash starts again from nothing. */
	return exec_id(db, sql_drop_files, cj->id);
}

/* Whether a job is due, read without writing: an idle worker must not
 * make a write (and a flush of the disk) each time it looks. */
static bool
job_due(struct fhir_exporter *x, int64_t now_ms)
{
	struct db *db = store_acquire(x->store);
	struct stmt *st = db ? db_prepare(db, sql_due) : NULL;
	bool due = false;

	if (st) {
		stmt_bind_int(st, 1, now_ms);
		due = stmt_row(st);
		stmt_done(st);
	}
	if (db)
		store_release(x->store, db);
	return due;
}

bool
fhir_exporter_run_once(struct fhir_exporter *x)
{
	struct claim_job cj = {clock_now_ms(), 0, 0};
	struct arena *ja;
	struct run *r;
	struct stmt *st;
	size_t t;
	enum err e;

	cj.until_ms = cj.now_ms + x->lease_s * 1000LL;
	if (!job_due(x, cj.now_ms) ||
	    store_write(x->store, claim_fn, &cj) != ERR_OK || !cj.id)
		return false;
	if (!(ja = arena_new(ARENA_CAP)) ||
	    !(r = arena_calloc(ja, 1, sizeof(*r)))) {
		arena_free(ja);
		return false;
	}
	r->x = x;
	r->ctx.store = x->store;
	r->ctx.a = ja;
	r->ctx.audit_key = x->key;
	r->ctx.now = clock_now();
	r->ctx.channel = "api";
	r->call.ctx = &r->ctx;
	if (!(r->ctx.db = store_acquire(x->store))) {
		arena_free(ja);
		return false;
	}
	st = db_prepare(r->ctx.db, sql_get_any);
	e = st ? (stmt_bind_int(st, 1, cj.id),
		  stmt_get(st, ja, read_job, &r->job))
	       : ERR_DB;
	if (e == ERR_OK)
		e = run_job(r, ja);
	if (e != ERR_UNAVAILABLE && !r->gone) {
		r->job.status = e == ERR_OK ? "done" : "failed";
		if (e != ERR_OK && (!r->job.error || !r->job.error[0]))
			r->job.error = "The export stopped on an error; ask "
				       "for it again.";
		if (e != ERR_OK)
			log_warn("fhir: export %lld failed: %s",
				 (long long)cj.id, err_name(e));
		store_write(x->store, finish_fn, r);
	}
	for (t = 0; t < NTYPES; t++)
		free(r->part[t].p);
	sodium_memzero(r->key, sizeof(r->key));
	store_release(x->store, r->ctx.db);
	arena_free(ja);
	return true;
}

static void *
worker(void *arg)
{
	struct fhir_exporter *x = arg;
	struct timespec until;

	while (!atomic_load(&x->stop)) {
		if (fhir_exporter_run_once(x))
			continue;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += x->poll_ms / 1000;
		until.tv_nsec += (long)(x->poll_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&x->mu);
		if (!atomic_load(&x->stop))
			pthread_cond_timedwait(&x->cv, &x->mu, &until);
		pthread_mutex_unlock(&x->mu);
	}
	return NULL;
}

struct fhir_exporter *
fhir_exporter_new(struct store *s, const struct audit_key *key, int poll_ms,
		  int lease_s)
{
	struct fhir_exporter *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->store = s;
	x->key = key;
	x->poll_ms = poll_ms > 0 ? poll_ms : 1000;
	x->lease_s = lease_s > 0 ? lease_s : 60;
	atomic_init(&x->stop, false);
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->cv, NULL);
	return x;
}

enum err
fhir_exporter_start(struct fhir_exporter *x)
{
	sigset_t all, old;
	int rc;

	if (x->running)
		return ERR_OK;
	atomic_store(&x->stop, false);
	/* Signals go to the main thread, which stops us. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&x->thread, NULL, worker, x);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return ERR_INTERNAL;
	x->running = true;
	return ERR_OK;
}

void
fhir_exporter_stop(struct fhir_exporter *x)
{
	if (!x || !x->running)
		return;
	pthread_mutex_lock(&x->mu);
	atomic_store(&x->stop, true);
	pthread_cond_signal(&x->cv);
	pthread_mutex_unlock(&x->mu);
	pthread_join(x->thread, NULL);
	x->running = false;
}

void
fhir_exporter_free(struct fhir_exporter *x)
{
	if (!x)
		return;
	fhir_exporter_stop(x);
	pthread_mutex_destroy(&x->mu);
	pthread_cond_destroy(&x->cv);
	free(x);
}
