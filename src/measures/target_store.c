/*
 * Stored targets (see target_store.h): checking one, the agreement rule
 * of each write, and reading them back. Who on the team agreed last is
 * read from the provenance of the target's writes (resource type
 * TARGET_RES, resource id the measure), which write_commit() records in
 * the same transaction.
 */
#include "measures/target_store.h"

#include <string.h>

#include "care/agreement.h"
#include "core/arena.h"
#include "core/msgid.h"
#include "core/str.h"
#include "measures/measure_version.h"
#include "store/store.h"
#include "core/banned.h"

#define SELECT_TARGET                                                      \
	"SELECT t.patient_id, t.measure, t.org_id, t.low_milli, "          \
	"t.high_milli, t.low2_milli, t.high2_milli, t.advice, "            \
	"t.patient_agreed_ms, t.team_agreed_ms, t.updated_by, "            \
	"COALESCE(u.display_name, ''), t.updated_ms, t.version, "          \
	"t.team_agreed_by, COALESCE(g.display_name, '') "                  \
	"FROM measure_target t LEFT JOIN account u ON u.id = t.updated_by " \
	"LEFT JOIN account g ON g.id = t.team_agreed_by "

static const char sql_get[] = SELECT_TARGET
	"WHERE t.patient_id = $1 AND t.measure = $2";
static const char sql_list[] = SELECT_TARGET
	"WHERE t.patient_id = $1 ORDER BY t.measure LIMIT $2";
static const char sql_ranges[] =
	"SELECT low_milli, high_milli, low2_milli, high2_milli "
	"FROM measure_target WHERE patient_id = $1 AND measure = $2";
static const char sql_insert[] =
	"INSERT INTO measure_target (patient_id, measure, org_id, low_milli, "
	"high_milli, low2_milli, high2_milli, advice, patient_agreed_ms, "
	"team_agreed_ms, updated_by, updated_ms, team_agreed_by, version) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1)";
static const char sql_update[] =
	"UPDATE measure_target SET low_milli = $4, high_milli = $5, "
	"low2_milli = $6, high2_milli = $7, advice = $8, "
	"patient_agreed_ms = $9, team_agreed_ms = $10, updated_by = $11, "
	"updated_ms = $12, team_agreed_by = $13, version = version + 1 "
	"WHERE patient_id = $1 AND measure = $2 AND org_id = $3 "
	"AND version = $14";

/* --- measures and checks -------------------------------------------------- */

const struct reading_def *
target_measure_kind(const char *measure)
{
	const struct reading_def *d;

	if (!measure || !*measure)
		return NULL;
	d = reading_find(str_c(measure));
	return d && !strcmp(d->key, measure) ? d : NULL;
}

bool
target_measure_is_score(const char *measure)
{
	size_t len = measure ? strlen(measure) : 0, prefix;
	const char *hash;

	prefix = strlen(TARGET_SCORE_PREFIX);
	if (len <= prefix || len > TARGET_MEASURE_MAX ||
	    strncmp(measure, TARGET_SCORE_PREFIX, prefix) ||
	    !utf8_valid(measure, len) || str_has_control(measure, len) ||
	    strpbrk(measure, " \t\r\n"))
		return false;
	hash = strrchr(measure, '#');
	return hash && hash > measure + prefix && hash[1];
}

static void
range_of(bool has_low, int64_t low, bool has_high, int64_t high,
	 struct target_range *r)
{
	r->has_low = has_low;
	r->has_high = has_high;
	r->low = has_low ? (double)low / 1000.0 : 0;
	r->high = has_high ? (double)high / 1000.0 : 0;
}

void
target_ranges(const struct measure_target *t,
	      struct target_range ranges[READING_PARTS_MAX])
{
	size_t i;

	for (i = 0; i < READING_PARTS_MAX; i++)
		memset(&ranges[i], 0, sizeof(ranges[i]));
	range_of(t->has_low, t->low_milli, t->has_high, t->high_milli,
		 &ranges[0]);
	if (READING_PARTS_MAX > 1)
		range_of(t->has_low2, t->low2_milli, t->has_high2,
			 t->high2_milli, &ranges[1]);
}

/* One end of a reading kind's target as a value to check its limits. */
static bool
end_possible(const struct reading_def *d, int64_t v, int64_t v2)
{
	struct reading_value rv;
	const char *why = NULL;
	size_t i;

	memset(&rv, 0, sizeof(rv));
	rv.kind = d->kind;
	rv.v[0] = (double)v / 1000.0;
	rv.v[1] = d->n_parts > 1 ? (double)v2 / 1000.0 : 0;
	if (reading_check(&rv, &why))
		return true;
	/* A diastolic end need not be below the systolic end of a range
	 * (reading_check() asks that of one reading): check each part. */
	for (i = 0; i < d->n_parts && i < READING_PARTS_MAX; i++)
		if (rv.v[i] < d->parts[i].min || rv.v[i] > d->parts[i].max)
			return false;
	return true;
}

static void
kind_validate(const struct reading_def *d, const struct measure_target *t,
	      struct problems *ps)
{
	bool two = d->n_parts > 1;

	if (two && (t->has_low != t->has_low2 || t->has_high != t->has_high2)) {
		problems_add(ps, t->has_low != t->has_low2 ? "low" : "high",
			     N_("Enter both pressures, for example "
				"140/90."));
		return;
	}
	if (t->has_low && !end_possible(d, t->low_milli, t->low2_milli))
		problems_add(ps, "low",
			     N_("This value is not possible for this "
				"measure. Check the number."));
	if (t->has_high && !end_possible(d, t->high_milli, t->high2_milli))
		problems_add(ps, "high",
			     N_("This value is not possible for this "
				"measure. Check the number."));
	if (two && t->has_low && t->has_high &&
	    t->low2_milli >= t->high2_milli && t->low_milli < t->high_milli)
		problems_add(ps, "high",
			     N_("The highest value must be above the "
				"lowest."));
}

void
target_validate(const struct measure_target *t, struct problems *ps)
{
	const struct reading_def *d = target_measure_kind(t->measure);

	if (!d && !target_measure_is_score(t->measure)) {
		problems_add(ps, "measure",
			     N_("Choose what the target is for."));
		return;
	}
	if (!t->has_low && !t->has_high)
		problems_add(ps, "low",
			     N_("Enter a lowest value, a highest value or "
				"both."));
	if (t->has_low && t->has_high && t->low_milli >= t->high_milli)
		problems_add(ps, "high",
			     N_("The highest value must be above the "
				"lowest."));
	if (d)
		kind_validate(d, t, ps);
	care_text_ok(ps, "advice", t->advice ? t->advice : "",
		     TARGET_ADVICE_MAX);
}

/* --- reading -------------------------------------------------------------- */

static void
read_target(struct stmt *st, struct arena *a, void *out)
{
	struct measure_target *t = out;

	memset(t, 0, sizeof(*t));
	t->patient_id = stmt_int(st, 0);
	t->measure = stmt_text_dup(st, 1, a);
	t->org_id = stmt_int(st, 2);
	t->has_low = !stmt_is_null(st, 3);
	t->low_milli = t->has_low ? stmt_int(st, 3) : 0;
	t->has_high = !stmt_is_null(st, 4);
	t->high_milli = t->has_high ? stmt_int(st, 4) : 0;
	t->has_low2 = !stmt_is_null(st, 5);
	t->low2_milli = t->has_low2 ? stmt_int(st, 5) : 0;
	t->has_high2 = !stmt_is_null(st, 6);
	t->high2_milli = t->has_high2 ? stmt_int(st, 6) : 0;
	t->advice = stmt_text_dup(st, 7, a);
	t->patient_agreed_ms = stmt_int(st, 8);
	t->team_agreed_ms = stmt_int(st, 9);
	t->updated_by = stmt_int(st, 10);
	t->updated_by_name = stmt_text_dup(st, 11, a);
	t->updated_ms = stmt_int(st, 12);
	t->version = (int)stmt_int(st, 13);
	t->team_agreed_by = stmt_is_null(st, 14) ? 0 : stmt_int(st, 14);
	t->team_agreed_by_name = stmt_text_dup(st, 15, a);
}

enum err
target_get(struct db *db, struct arena *a, int64_t patient_id,
	   const char *measure, struct measure_target *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_str(st, 2, measure ? measure : "");
	return stmt_get(st, a, read_target, out);
}

enum err
target_list(struct db *db, struct arena *a, int64_t patient_id,
	    struct measure_target **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_list);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, TARGET_LIST_MAX);
	return stmt_list(st, a, sizeof(**out), TARGET_LIST_MAX, read_target,
			 out, count);
}

enum err
target_ranges_get(struct db *db, int64_t patient_id, const char *measure,
		  struct target_range ranges[READING_PARTS_MAX], bool *found)
{
	struct measure_target t;
	struct stmt *st = db_prepare(db, sql_ranges);

	memset(&t, 0, sizeof(t));
	*found = false;
	if (st) {
		stmt_bind_int(st, 1, patient_id);
		stmt_bind_str(st, 2, measure ? measure : "");
		*found = stmt_row(st);
		if (*found) {
			t.has_low = !stmt_is_null(st, 0);
			t.low_milli = stmt_int(st, 0);
			t.has_high = !stmt_is_null(st, 1);
			t.high_milli = stmt_int(st, 1);
			t.has_low2 = !stmt_is_null(st, 2);
			t.low2_milli = stmt_int(st, 2);
			t.has_high2 = !stmt_is_null(st, 3);
			t.high2_milli = stmt_int(st, 3);
		}
	}
	target_ranges(&t, ranges);
	return st ? stmt_done(st) : ERR_DB;
}

/* --- writing -------------------------------------------------------------- */

static bool
same_end(bool has_a, int64_t a, bool has_b, int64_t b)
{
	return has_a == has_b && (!has_a || a == b);
}

/* Whether `t` says what `stored` says (ends and advice). */
static bool
same_content(const struct measure_target *t,
	     const struct measure_target *stored)
{
	return same_end(t->has_low, t->low_milli, stored->has_low,
			stored->low_milli) &&
	       same_end(t->has_high, t->high_milli, stored->has_high,
			stored->high_milli) &&
	       same_end(t->has_low2, t->low2_milli, stored->has_low2,
			stored->low2_milli) &&
	       same_end(t->has_high2, t->high2_milli, stored->has_high2,
			stored->high2_milli) &&
	       !strcmp(t->advice ? t->advice : "",
		       stored->advice ? stored->advice : "");
}

static void
bind_end(struct stmt *st, int idx, bool has, int64_t v)
{
	if (has)
		stmt_bind_int(st, idx, v);
	else
		stmt_bind_null(st, idx);
}

/* Inserts `n` (create) or replaces the stored version `version`. */
static enum err
store_row(struct db *db, const struct measure_target *n, bool create,
	  int version)
{
	struct stmt *st = db_prepare(db, create ? sql_insert : sql_update);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, n->patient_id);
	stmt_bind_str(st, 2, n->measure);
	stmt_bind_int(st, 3, n->org_id);
	bind_end(st, 4, n->has_low, n->low_milli);
	bind_end(st, 5, n->has_high, n->high_milli);
	bind_end(st, 6, n->has_low2, n->low2_milli);
	bind_end(st, 7, n->has_high2, n->high2_milli);
	stmt_bind_str(st, 8, n->advice ? n->advice : "");
	stmt_bind_int(st, 9, n->patient_agreed_ms);
	stmt_bind_int(st, 10, n->team_agreed_ms);
	stmt_bind_int(st, 11, n->updated_by);
	stmt_bind_int(st, 12, n->updated_ms);
	if (n->team_agreed_by)
		stmt_bind_int(st, 13, n->team_agreed_by);
	else
		stmt_bind_null(st, 13);
	if (create)
		return stmt_exec(st);
	stmt_bind_int(st, 14, version);
	return stmt_exec_one(st);
}

/* Records that `by`, speaking in `voice`, agrees with `n` at `at_ms`. */
static void
agree_side(struct measure_target *n, const char *voice, int64_t by,
	   int64_t at_ms)
{
	if (!strcmp(voice, "patient")) {
		n->patient_agreed_ms = at_ms;
	} else if (!strcmp(voice, "professional")) {
		n->team_agreed_ms = at_ms;
		n->team_agreed_by = by;
	}
}

static enum err
write_with(struct db *db, struct arena *a, struct target_job *j)
{
	struct measure_target stored, n;
	const char *voice = j->voice ? j->voice : "";
	bool exists, can_agree = agreement_voice_can_agree(voice);
	struct problems ps = {0};
	enum err e;

	if (j->agree && !can_agree)
		return ERR_FORBIDDEN;
	if (!j->agree) {
		target_validate(&j->t, &ps);
		if (ps.n)
			return ERR_INVALID;
	}
	e = target_get(db, a, j->t.patient_id, j->t.measure, &stored);
	if (e != ERR_OK && e != ERR_NOT_FOUND)
		return e;
	exists = e == ERR_OK;
	if (j->agree && !exists)
		return ERR_NOT_FOUND;
	if (exists ? stored.version != j->version : j->version != 0)
		return ERR_CONFLICT;
	if (j->agree || (exists && same_content(&j->t, &stored))) {
		/* Nothing in the target changes: the writer agrees with it
		 * as it is (a caregiver's save changes nothing at all). */
		n = stored;
		if (can_agree)
			agree_side(&n, voice, j->by, j->at_ms);
	} else {
		n = j->t;
		n.org_id = exists ? stored.org_id : j->t.org_id;
		n.patient_agreed_ms = 0;
		n.team_agreed_ms = 0;
		n.team_agreed_by = 0;
		n.updated_by = j->by;
		n.updated_ms = j->at_ms;
		agree_side(&n, voice, j->by, j->at_ms);
	}
	if ((e = store_row(db, &n, !exists, j->version)) != ERR_OK)
		return e == ERR_NOT_FOUND || e == ERR_EXISTS ? ERR_CONFLICT : e;
	/* Back to the caller, whose strings stay its own. */
	j->t.patient_agreed_ms = n.patient_agreed_ms;
	j->t.team_agreed_ms = n.team_agreed_ms;
	j->t.version = exists ? j->version + 1 : 1;
	return ERR_OK;
}

enum err
target_write(struct db *db, void *arg)
{
	struct target_job *j = arg;
	struct arena *a = arena_new(64 * 1024);
	enum err e;

	if (!a)
		return ERR_NOMEM;
	e = write_with(db, a, j);
	arena_free(a);
	return e == ERR_OK ? measure_version_bump(db, j->t.patient_id) : e;
}
