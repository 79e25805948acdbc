/*
 * Journeys and touchpoint analytics from the store (see journey.h).
 *
 * The analytics read four things: the patients in scope with their
 * groups (one row each), the touchpoints of the period, and the
 * consultations and patient-started message threads of the period, one
 * row each, because a median needs every time. Patients are matched to
 * their group here, in C, so one statement serves every split.
 *
 * Touchpoints are read from the covering index touchpoint_by_org. On
 * PostgreSQL they are counted by the patients' group, channel, side and
 * local hour with GROUP BY (a hash aggregate, a few thousand rows back),
 * and who had one (online) is asked of each patient in scope.
 * SQLite has no hash aggregation: its
 * GROUP BY sorts every row first, ten times the cost of reading them
 * (measured: bench/RESULTS.md, issue 10), so there the rows are read
 * from the index in one pass and counted here.
 */
#include "contact/journey.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/clock.h"
#include "store/store.h"
#include "core/banned.h"

static const char sql_journey[] =
	"SELECT t.at_ms, t.channel, t.direction, t.initiator_side, "
	"t.initiator_id, COALESCE(a.display_name, ''), t.kind, "
	"t.resource_type, t.resource_id FROM touchpoint t "
	"LEFT JOIN account a ON a.id = t.initiator_id "
	"WHERE t.patient_id = $1 ORDER BY t.at_ms DESC, t.id DESC LIMIT $2";

static const char sql_patients[] =
	"SELECT id, birth_date, preferred_language, interpreter_needed, "
	"disability, digital_confidence, deprivation_decile FROM patient "
	"WHERE org_id = $1 AND (CAST($2 AS BIGINT) = 0 OR unit_id = $2)";

/* The local hour: the offset of the span the touchpoint falls in (see
 * ts_zone_spans), as boundaries in milliseconds. */
#define OFFSET_CASE                                                        \
	"CASE WHEN t.at_ms < $4 THEN CAST($5 AS BIGINT) "                  \
	"WHEN t.at_ms < $6 THEN CAST($7 AS BIGINT) "                       \
	"WHEN t.at_ms < $8 THEN CAST($9 AS BIGINT) "                       \
	"WHEN t.at_ms < $10 THEN CAST($11 AS BIGINT) "                     \
	"WHEN t.at_ms < $12 THEN CAST($13 AS BIGINT) "                     \
	"WHEN t.at_ms < $14 THEN CAST($15 AS BIGINT) "                     \
	"ELSE CAST($16 AS BIGINT) END"

/*
 * PostgreSQL: touchpoints counted by the patients' group (one statement
 * per split, the same shape), channel, side and local hour, so a few
 * thousand rows come back. The patients in scope and their group are
 * worked out first, once each: computed after the join, the age alone
 * cost more than the count (a million calls of age()). OFFSET 0 keeps
 * that subquery apart; unlike a CTE, it keeps the statistics of
 * patient.id, without which the million touchpoints were hashed instead
 * of the 2,000 patients.
 */
#define TP_GROUPED(G)                                                      \
	"SELECT g.k, t.channel, t.initiator_side, "                        \
	"((t.at_ms / 1000 + " OFFSET_CASE ") % 86400) / 3600, COUNT(*) "   \
	"FROM touchpoint t JOIN (SELECT p.id, " G " AS k FROM patient p "  \
	"WHERE p.org_id = $1 "                                             \
	"AND (CAST($17 AS BIGINT) = 0 OR p.unit_id = $17) OFFSET 0) g "    \
	"ON g.id = t.patient_id "                                          \
	"WHERE t.org_id = $1 AND t.at_ms >= $2 AND t.at_ms < $3 "          \
	"GROUP BY 1, 2, 3, 4"

/* Each split's raw group value, as ts_group_key_raw() reads it; the age
 * in whole years on the period's last day ($18). */
static const char *const sql_touchpoints_pg[TS_SPLIT__MAX] = {
	[TS_SPLIT_NONE] = TP_GROUPED("CAST('all' AS TEXT)"),
	[TS_SPLIT_AGE] = TP_GROUPED(
		"CASE WHEN length(p.birth_date) = 10 THEN CAST(CAST("
		"date_part('year', age(CAST($18 AS date), "
		"CAST(p.birth_date AS date))) AS INTEGER) AS TEXT) "
		"ELSE '' END"),
	[TS_SPLIT_LANGUAGE] = TP_GROUPED("p.preferred_language"),
	[TS_SPLIT_INTERPRETER] = TP_GROUPED(
		"CAST(p.interpreter_needed AS TEXT)"),
	[TS_SPLIT_DISABILITY] = TP_GROUPED("p.disability"),
	[TS_SPLIT_DIGITAL] = TP_GROUPED("p.digital_confidence"),
	[TS_SPLIT_QUINTILE] = TP_GROUPED(
		"CAST(p.deprivation_decile AS TEXT)"),
	[TS_SPLIT_DECILE] = TP_GROUPED("CAST(p.deprivation_decile AS TEXT)"),
};

/*
 * PostgreSQL: whether each patient in scope had a touchpoint in the
 * period, and started one online. Two index probes a patient
 * (touchpoint_by_patient) instead of grouping every touchpoint again.
 */
static const char sql_seen_pg[] =
	"SELECT p.id, EXISTS (SELECT 1 FROM touchpoint t "
	"WHERE t.patient_id = p.id AND t.at_ms >= $2 AND t.at_ms < $3 "
	"AND t.org_id = $1), "
	"EXISTS (SELECT 1 FROM touchpoint t WHERE t.patient_id = p.id "
	"AND t.at_ms >= $2 AND t.at_ms < $3 AND t.org_id = $1 "
	"AND t.initiator_side = 'patient' AND t.channel IN ('web', 'api')) "
	"FROM patient p WHERE p.org_id = $1 "
	"AND (CAST($4 AS BIGINT) = 0 OR p.unit_id = $4)";

static const char sql_touchpoint_rows[] =
	"SELECT patient_id, channel, initiator_side, at_ms FROM touchpoint "
	"WHERE org_id = $1 AND at_ms >= $2 AND at_ms < $3";

static const char sql_consults[] =
	"SELECT c.patient_id, c.kind, c.channel, c.status, c.outcome, "
	"c.submitted_at, c.first_response_at, c.closed_at, c.due_at, "
	"COALESCE(r.ease, 0), COALESCE(r.helped, 0), "
	"CASE WHEN EXISTS (SELECT 1 FROM appointment a "
	"WHERE a.consultation_id = c.id) THEN 1 ELSE 0 END "
	"FROM consultation c "
	"LEFT JOIN consultation_rating r ON r.consultation_id = c.id "
	"WHERE c.org_id = $1 AND c.submitted_at >= $2 AND c.submitted_at < $3";

/*
 * PostgreSQL: the same, with the appointments joined once. Asked for
 * each row, the question was planned as a scan of appointment per
 * request once the table had statistics: 100,000 scans of an empty
 * table took 450 to 970 ms, the join 150 to 200 ms (both on a loaded
 * machine, bench/touchpoints).
 */
static const char sql_consults_pg[] =
	"SELECT c.patient_id, c.kind, c.channel, c.status, c.outcome, "
	"c.submitted_at, c.first_response_at, c.closed_at, c.due_at, "
	"COALESCE(r.ease, 0), COALESCE(r.helped, 0), "
	"CASE WHEN a.consultation_id IS NULL THEN 0 ELSE 1 END "
	"FROM consultation c "
	"LEFT JOIN consultation_rating r ON r.consultation_id = c.id "
	"LEFT JOIN (SELECT DISTINCT consultation_id FROM appointment) a "
	"ON a.consultation_id = c.id "
	"WHERE c.org_id = $1 AND c.submitted_at >= $2 AND c.submitted_at < $3";

static const char sql_threads[] =
	"SELECT patient_id, channel, started_side, created_at, first_reply_at "
	"FROM message_thread WHERE org_id = $1 AND created_at >= $2 "
	"AND created_at < $3 AND started_side = 'patient'";

static void
read_item(struct stmt *st, struct arena *a, void *record)
{
	struct journey_item *j = record;

	j->at_ms = stmt_int(st, 0);
	j->channel = stmt_text_dup(st, 1, a);
	j->direction = stmt_text_dup(st, 2, a);
	j->initiator_side = stmt_text_dup(st, 3, a);
	j->initiator_id = stmt_int(st, 4);
	j->initiator_name = stmt_text_dup(st, 5, a);
	j->kind = stmt_text_dup(st, 6, a);
	j->resource_type = stmt_text_dup(st, 7, a);
	j->resource_id = stmt_text_dup(st, 8, a);
}

enum err
journey_list(struct db *db, struct arena *a, int64_t patient_id,
	     struct journey_item **out, size_t *n, bool *more)
{
	struct stmt *st = db_prepare(db, sql_journey);
	struct journey_item tmp;
	size_t i;
	enum err e;

	*out = NULL;
	*n = 0;
	*more = false;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, JOURNEY_MAX + 1);
	e = stmt_list(st, a, sizeof(**out), JOURNEY_MAX + 1, read_item, out, n);
	if (e != ERR_OK)
		return e;
	if (*n > JOURNEY_MAX) {
		*more = true;
		*n = JOURNEY_MAX;
	}
	/* Newest first from the index; the page reads oldest first. */
	for (i = 0; i < *n / 2; i++) {
		tmp = (*out)[i];
		(*out)[i] = (*out)[*n - 1 - i];
		(*out)[*n - 1 - i] = tmp;
	}
	return ERR_OK;
}

int64_t
journey_local_midnight(int64_t utc_midnight)
{
	time_t t = (time_t)utc_midnight;
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return utc_midnight;
	return utc_midnight - tm.tm_gmtoff;
}

/* A patient in scope and the group key of the report's split. */
struct member {
	int64_t id;
	char key[TS_KEY_MAX];
	bool seen;		/* had a touchpoint in the period */
	bool digital;		/* started one online */
	struct ts_slice *group;	/* its group's slice, once seen; NULL
				   when not split */
};

static int
cmp_member(const void *a, const void *b)
{
	int64_t x = ((const struct member *)a)->id;
	int64_t y = ((const struct member *)b)->id;

	return (x > y) - (x < y);
}

/* The patients in scope, by id: sorted, and hashed for the million
 * lookups of the touchpoints (open addressing, at most half full). */
struct scope {
	struct member *m;
	size_t n, cap;
	struct member **slot;
	size_t mask;
};

static size_t
slot_of(const struct scope *s, int64_t id)
{
	return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 32) &
	       s->mask;
}

static enum err
hash_scope(struct arena *a, struct scope *s)
{
	size_t size = 16, i, k;

	while (size < 2 * s->n)
		size *= 2;
	if (!(s->slot = arena_calloc(a, size, sizeof(*s->slot))))
		return ERR_NOMEM;
	s->mask = size - 1;
	for (i = 0; i < s->n; i++) {
		for (k = slot_of(s, s->m[i].id); s->slot[k];
		     k = (k + 1) & s->mask)
			;
		s->slot[k] = &s->m[i];
	}
	return ERR_OK;
}

/* Patient `id`, or NULL when out of scope. */
static struct member *
member_of(const struct scope *s, int64_t id)
{
	struct member k;
	size_t i;

	if (s->slot) {
		for (i = slot_of(s, id); s->slot[i]; i = (i + 1) & s->mask)
			if (s->slot[i]->id == id)
				return s->slot[i];
		return NULL;
	}

	k.id = id;
	return bsearch(&k, s->m, s->n, sizeof(*s->m), cmp_member);
}

/* The group key of patient `id`, or NULL when out of scope. */
static const char *
key_of(const struct scope *s, int64_t id)
{
	struct member *m = member_of(s, id);

	return m ? m->key : NULL;
}

static enum err
load_scope(struct db *db, struct arena *a, const struct journey_filter *f,
	   struct scope *s)
{
	struct stmt *st = db_prepare(db, sql_patients);
	enum err e;

	memset(s, 0, sizeof(*s));
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, f->org_id);
	stmt_bind_int(st, 2, f->unit_id);
	while (stmt_row(st)) {
		struct ts_person p;
		int64_t born;
		const char *bd = stmt_text(st, 1);

		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 256;
			struct member *m = arena_alloc(a, cap * sizeof(*m));

			if (!m) {
				stmt_done(st);
				return ERR_NOMEM;
			}
			if (s->n)
				memcpy(m, s->m, s->n * sizeof(*m));
			s->m = m;
			s->cap = cap;
		}
		p.age = bd && clock_parse_date(bd, &born)
				? clock_age_years(born, f->to - 1)
				: -1;
		p.language = stmt_text(st, 2);
		p.interpreter = stmt_int(st, 3) != 0;
		p.disability = stmt_text(st, 4);
		p.digital = stmt_text(st, 5);
		p.decile = (int)stmt_int(st, 6);
		s->m[s->n].id = stmt_int(st, 0);
		s->m[s->n].seen = false;
		s->m[s->n].digital = false;
		s->m[s->n].group = NULL;
		ts_group_key(f->split, &p, s->m[s->n].key);
		s->n++;
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (s->n)
		qsort(s->m, s->n, sizeof(*s->m), cmp_member);
	return hash_scope(a, s);
}

static void
bind_zone(struct stmt *st, const struct ts_zone *z)
{
	size_t i;
	int32_t last = z->offset[z->n - 1];

	for (i = 0; i < TS_ZONE_SPANS - 1; i++) {
		bool real = i + 1 < z->n;

		stmt_bind_int(st, 4 + 2 * (int)i,
			      real ? z->until[i] * 1000 : INT64_MAX / 2);
		stmt_bind_int(st, 5 + 2 * (int)i, real ? z->offset[i] : last);
	}
	stmt_bind_int(st, 16, last);
}

/* Counts `count` touchpoints of patient `pid` (when in scope). */
static void
count_row(struct ts_report *r, const struct scope *s, int64_t pid,
	  const char *channel, const char *side, int hour, int64_t count)
{
	struct member *m = member_of(s, pid);
	enum ts_channel c = ts_channel_of(channel);
	/* "patient" or "staff": the first letter tells them apart. */
	bool patient = side && side[0] == 'p' && strcmp(side, "patient") == 0;

	if (!m)
		return;		/* another unit's patient */
	if (!m->seen) {
		m->seen = true;
		if (r->split != TS_SPLIT_NONE)
			m->group = ts_report_group(r, m->key);
	}
	ts_count_touchpoints(r, m->group, c, patient, hour, count);
	if (patient && (c == TS_CH_WEB || c == TS_CH_API))
		m->digital = true;
}

/* The patients who had a touchpoint, each in its group. */
static void
add_seen(struct ts_report *r, const struct scope *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->m[i].seen)
			ts_add_patients(r, s->m[i].key, 1, s->m[i].digital);
}

/* SQLite: every touchpoint of the period from the covering index. */
static enum err
load_touchpoints(struct db *db, const struct journey_filter *f,
		 const struct scope *s, const struct ts_zone *z,
		 struct ts_report *r)
{
	struct stmt *st = db_prepare(db, sql_touchpoint_rows);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, f->org_id);
	stmt_bind_int(st, 2, f->from * 1000);
	stmt_bind_int(st, 3, f->to * 1000);
	while (stmt_row(st))
		count_row(r, s, stmt_int(st, 0), stmt_text(st, 1),
			  stmt_text(st, 2),
			  ts_local_hour(z, stmt_int(st, 3) / 1000), 1);
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	add_seen(r, s);
	return ERR_OK;
}

/* PostgreSQL: counted by group, channel, side and hour in SQL. */
static enum err
load_touchpoints_pg(struct db *db, struct arena *a,
		    const struct journey_filter *f, const struct scope *s,
		    const struct ts_zone *z, struct ts_report *r)
{
	struct stmt *st = db_prepare(db, sql_touchpoints_pg[f->split]);
	char key[TS_KEY_MAX];
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, f->org_id);
	stmt_bind_int(st, 2, f->from * 1000);
	stmt_bind_int(st, 3, f->to * 1000);
	bind_zone(st, z);
	stmt_bind_int(st, 17, f->unit_id);
	if (f->split == TS_SPLIT_AGE)
		stmt_bind_str(st, 18, clock_date(a, f->to - 1));
	while (stmt_row(st)) {
		const char *side = stmt_text(st, 2);

		ts_group_key_raw(f->split, stmt_text(st, 0), key);
		ts_add_touchpoints(r, key, stmt_text(st, 1), side,
				   (int)stmt_int(st, 3), stmt_int(st, 4));
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_seen_pg)))
		return ERR_DB;
	stmt_bind_int(st, 1, f->org_id);
	stmt_bind_int(st, 2, f->from * 1000);
	stmt_bind_int(st, 3, f->to * 1000);
	stmt_bind_int(st, 4, f->unit_id);
	while (stmt_row(st)) {
		struct member *m = member_of(s, stmt_int(st, 0));

		if (m) {
			m->seen = stmt_int(st, 1) != 0;
			m->digital = stmt_int(st, 2) != 0;
		}
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	add_seen(r, s);
	return ERR_OK;
}

static enum err
load_consults(struct db *db, const struct journey_filter *f,
	      const struct scope *s, struct ts_report *r)
{
	struct stmt *st = db_prepare(db, db_backend(db) == STORE_PG
						 ? sql_consults_pg
						 : sql_consults);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, f->org_id);
	stmt_bind_int(st, 2, f->from);
	stmt_bind_int(st, 3, f->to);
	while (stmt_row(st)) {
		const char *key = key_of(s, stmt_int(st, 0));
		struct ts_consult c;

		if (!key)
			continue;
		c.kind = stmt_text(st, 1);
		c.channel = stmt_text(st, 2);
		c.status = stmt_text(st, 3);
		c.outcome = stmt_text(st, 4);
		c.submitted_at = stmt_int(st, 5);
		c.first_response_at = stmt_int(st, 6);
		c.closed_at = stmt_int(st, 7);
		c.due_at = stmt_int(st, 8);
		c.ease = (int)stmt_int(st, 9);
		c.helped = (int)stmt_int(st, 10);
		c.appointment = stmt_int(st, 11) != 0;
		ts_add_consult(r, key, &c);
	}
	return stmt_done(st);
}

static enum err
load_threads(struct db *db, const struct journey_filter *f,
	     const struct scope *s, struct ts_report *r)
{
	struct stmt *st = db_prepare(db, sql_threads);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, f->org_id);
	stmt_bind_int(st, 2, f->from);
	stmt_bind_int(st, 3, f->to);
	while (stmt_row(st)) {
		const char *key = key_of(s, stmt_int(st, 0));
		struct ts_thread t;

		if (!key)
			continue;
		t.channel = stmt_text(st, 1);
		t.started_side = stmt_text(st, 2);
		t.created_at = stmt_int(st, 3);
		t.first_reply_at = stmt_int(st, 4);
		ts_add_thread(r, key, &t);
	}
	return stmt_done(st);
}

enum err
journey_analytics(struct db *db, struct arena *a,
		  const struct journey_filter *f, struct ts_report *out)
{
	struct scope s;
	struct ts_zone z;
	enum err e;

	ts_report_init(out, a, f->split, f->now);
	if (f->to <= f->from || f->to - f->from > TS_PERIOD_DAYS_MAX * 86400LL ||
	    (unsigned)f->split >= TS_SPLIT__MAX ||
	    !ts_zone_spans(f->from, f->to, &z))
		return ERR_INVALID;
	if ((e = load_scope(db, a, f, &s)) != ERR_OK ||
	    (e = db_backend(db) == STORE_PG
			 ? load_touchpoints_pg(db, a, f, &s, &z, out)
			 : load_touchpoints(db, f, &s, &z, out)) != ERR_OK ||
	    (e = load_consults(db, f, &s, out)) != ERR_OK ||
	    (e = load_threads(db, f, &s, out)) != ERR_OK)
		return e;
	return ts_report_finish(out);
}
