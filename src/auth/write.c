/*
 * The single write path (see write.h).
 */
#include "auth/write.h"

#include "auth/actor.h"
#include "auth/audit.h"
#include "core/clock.h"
#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

struct write_job {
	struct ctx *c;
	struct write_info *w;
	enum err (*fn)(struct db *, void *);
	void *arg;
	int64_t at_ms;
};

static const char sql_provenance[] =
	"INSERT INTO provenance (id, org_id, at_ms, audit_seq, resource_type, "
	"resource_id, patient_id, author_id, voice, activity) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
static const char sql_touchpoint[] =
	"INSERT INTO touchpoint (id, org_id, at_ms, patient_id, channel, "
	"direction, initiator_id, initiator_side, kind, resource_type, "
	"resource_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

static enum err
record_provenance(struct db *db, const struct write_job *j, int64_t seq)
{
	const struct actor *who = &j->c->actor;
	struct stmt *st = db_prepare(db, sql_provenance);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, who->org_id);
	stmt_bind_int(st, 3, j->at_ms);
	stmt_bind_int(st, 4, seq);
	stmt_bind_str(st, 5, j->w->resource_type);
	stmt_bind_str(st, 6, j->w->resource_id ? j->w->resource_id : "");
	stmt_bind_int(st, 7, j->w->patient_id);
	stmt_bind_int(st, 8, who->account_id);
	stmt_bind_str(st, 9,
		      j->w->voice ? j->w->voice : role_voice(who->role));
	stmt_bind_str(st, 10, j->w->action);
	return stmt_exec(st);
}

static enum err
record_touchpoint(struct db *db, const struct write_job *j)
{
	const struct actor *who = &j->c->actor;
	bool staff = role_is_staff(who->role) && !j->c->patient_initiated;
	struct stmt *st = db_prepare(db, sql_touchpoint);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, who->org_id);
	stmt_bind_int(st, 3, j->at_ms);
	stmt_bind_int(st, 4, j->w->patient_id);
	stmt_bind_str(st, 5, j->c->channel ? j->c->channel : "web");
	stmt_bind_str(st, 6, staff ? "staff-to-patient" : "patient-to-staff");
	stmt_bind_int(st, 7, who->account_id);
	stmt_bind_str(st, 8, staff ? "staff" : "patient");
	stmt_bind_str(st, 9, j->w->touchpoint_kind);
	stmt_bind_str(st, 10, j->w->resource_type);
	stmt_bind_str(st, 11, j->w->resource_id ? j->w->resource_id : "");
	return stmt_exec(st);
}

static enum err
write_job_run(struct db *db, void *arg)
{
	struct write_job *j = arg;
	struct audit_event e;
	int64_t seq;
	enum err err;

	if ((err = j->fn(db, j->arg)) != ERR_OK)
		return err;
	e = audit_event_for(j->c, j->w->action, j->w->resource_type,
			    j->w->resource_id, j->w->patient_id, "success");
	e.at_ms = j->at_ms;
	if (j->w->detail)
		e.detail = j->w->detail;
	if ((err = audit_append(db, j->c->audit_key, &e, &seq)) != ERR_OK)
		return err;
	if (j->w->patient_id &&
	    (err = record_provenance(db, j, seq)) != ERR_OK)
		return err;
	/* A touchpoint needs a person on each side: not the system. */
	if (j->w->patient_id && j->w->touchpoint_kind &&
	    j->c->actor.role != ROLE_SYSTEM)
		return record_touchpoint(db, j);
	return ERR_OK;
}

struct steps_job {
	struct ctx *c;
	struct write_step *s;
	size_t n;
	int64_t at_ms;
};

static enum err
steps_run(struct db *db, void *arg)
{
	struct steps_job *sj = arg;
	size_t i;
	enum err err;

	for (i = 0; i < sj->n; i++) {
		struct write_job j = {sj->c, sj->s[i].w, sj->s[i].fn,
				      sj->s[i].arg, sj->at_ms};

		sj->s[i].existed = false;
		err = write_job_run(db, &j);
		if (err == ERR_EXISTS && sj->s[i].exists_ok) {
			sj->s[i].existed = true;
			continue;
		}
		if (err != ERR_OK)
			return err;
	}
	return ERR_OK;
}

/* Runs `run(db, arg)` as the writer's job, durably: deferred when the
 * context can answer later (see write_commit). */
static enum err
commit(struct ctx *c, enum err (*run)(struct db *, void *), void *arg)
{
	enum err err;

	/* The write may change who stands how to the patient. */
	c->memo_patient = 0;
	c->wrote = true;
	if (c->defer && c->durable) {
		bool deferred;

		/* Counted first: the disk may be quicker than this thread. */
		c->defer(c->defer_arg);
		err = store_write_deferred(c->store, run, arg, c->durable,
					   c->defer_arg, &deferred);
		if (!deferred)
			c->durable(c->defer_arg, ERR_OK);
	} else {
		err = store_write(c->store, run, arg);
	}
	/* What the request reads next includes what it just wrote. */
	if (c->db)
		db_read_refresh(c->db);
	return err;
}

static void
audit_failure(struct ctx *c, const struct write_info *w, enum err err)
{
	struct audit_event e;

	if (err == ERR_OK || err == ERR_DB)
		return;
	e = audit_event_for(c, w->action, w->resource_type, w->resource_id,
			    w->patient_id, "failure");
	e.detail = err_name(err);
	audit_record_async(c, &e);
}

enum err
write_commit(struct ctx *c, struct write_info *w,
	     enum err (*fn)(struct db *, void *), void *arg)
{
	struct write_job j = {c, w, fn, arg, clock_now_ms()};
	enum err err = commit(c, write_job_run, &j);

	audit_failure(c, w, err);
	return err;
}

enum err
write_commit_all(struct ctx *c, struct write_step *steps, size_t n)
{
	struct steps_job sj = {c, steps, n, clock_now_ms()};
	enum err err = commit(c, steps_run, &sj);
	size_t i;

	for (i = 0; i < n && err != ERR_OK; i++)
		audit_failure(c, steps[i].w, err);
	return err;
}

enum err
write_within(struct db *db, struct ctx *c, struct write_info *w,
	     enum err (*fn)(struct db *, void *), void *arg)
{
	struct write_job j = {c, w, fn, arg, c->now * 1000};

	return write_job_run(db, &j);
}

void
write_refused(struct ctx *c, const struct write_info *w)
{
	struct audit_event e = audit_event_for(c, w->action, w->resource_type,
					       w->resource_id, w->patient_id,
					       "denied");

	if (w->detail)
		e.detail = w->detail;
	audit_record_async(c, &e);
}
