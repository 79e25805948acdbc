/*
 * Demo measures. María López answers the PHQ-9 every two weeks (her
 * scores fall from moderately severe to mild; early on she answered
 * item 9 above 0, which alerted her doctor, who called her and closed
 * the alert with a note), the GAD-7 monthly and the WHO-5 twice; a
 * PHQ-9 is due today and a GAD-7 before her next appointment. She
 * takes her blood pressure daily and weighs herself weekly; she and her
 * doctor agreed a blood-pressure target, and her last readings are above
 * it, so the team has an open alert with a count. Her list for the next
 * visit has two items. A dozen other patients have a few answers and
 * readings each. Everything is written through the functions the pages
 * use, inside write_within(), so audit, provenance and touchpoints are
 * real.
 */
#include "demo/demo_care.h"

#include <string.h>

#include "auth/write.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "measures/agenda.h"
#include "measures/alert.h"
#include "measures/instrument.h"
#include "measures/questionnaire.h"
#include "measures/reading.h"
#include "measures/reading_store.h"
#include "measures/response.h"
#include "measures/schedule.h"
#include "measures/scoring.h"
#include "measures/target_store.h"
#include "core/banned.h"

#define OTHER_PATIENTS 12
#define MS 1000LL

/* A small deterministic generator, so every demo looks the same. */
static uint32_t
next_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* A number from -spread to spread. */
static double
noise(uint32_t *s, double spread)
{
	return ((double)(next_rand(s) % 2001) / 1000.0 - 1.0) * spread;
}

/*
 * Answers of `p` to library instrument `id`: the questions in order, each
 * given the option whose value is values[i] (or the number itself for a
 * numeric question), completed `days_ago` days ago by `by` in `role`.
 */
static enum err
answer(struct demo_care *d, const struct demo_care_patient *p,
       const char *id, const int *values, size_t nvalues, int days_ago,
       int64_t by, enum role role, int64_t request_id)
{
	const struct instrument *in = instrument_get(id, "en");
	struct write_info wi = {
		.action = "create",
		.resource_type = RESPONSE_RES,
		.patient_id = p->id,
		.detail = "questionnaire-answered",
		.touchpoint_kind = "questionnaire-answered",
	};
	struct q_response_info info = {.status = "completed"};
	struct alert_event al[RESPONSE_ALERTS_MAX];
	struct response_job *j;
	struct score_report rep;
	struct q_answers ans;
	struct ctx *c;
	size_t i, k = 0, f;
	char *json;

	if (!in)
		return ERR_NOT_FOUND;
	if (!(j = arena_calloc(d->a, 1, sizeof(*j))))
		return ERR_NOMEM;
	q_answers_init(&ans);
	for (i = 0; i < in->q->n_all && k < nvalues; i++) {
		const struct q_item *it = in->q->all[i];
		struct q_value *v;

		if (!q_item_is_question(it) || !q_item_enabled(in->q, &ans, it))
			continue;
		if (!(v = arena_calloc(d->a, 1, sizeof(*v))))
			return ERR_NOMEM;
		if (it->n_options) {
			for (f = 0; f < it->n_options; f++)
				if (it->options[f].has_value &&
				    it->options[f].value == values[k])
					break;
			if (f == it->n_options)
				return ERR_INVALID;
			v->kind = QV_CODING;
			v->system = it->options[f].system;
			v->code = it->options[f].code;
			v->display = it->options[f].display;
			v->option = &it->options[f];
		} else {
			v->kind = it->type == Q_DECIMAL ? QV_DECIMAL
							: QV_INTEGER;
			v->num = values[k];
		}
		k++;
		DEMO_TRY(q_answers_set(d->a, &ans, it, v, 1));
	}
	DEMO_TRY(score_response(d->a, in->q, &ans, &rep));
	c = demo_care_as(d, by, role, p, days_ago, 0);
	info.subject = arena_printf(d->a, "Patient/%lld", (long long)p->id);
	info.authored = clock_iso(d->a, c->now);
	DEMO_TRY(q_answers_to_json(d->a, in->q, &ans, &info, &json));
	j->op = RESPONSE_START;
	j->r.id = id_new();
	j->r.org_id = d->org_id;
	j->r.patient_id = p->id;
	j->r.request_id = request_id;
	j->r.instrument_url = in->q->url;
	j->r.instrument_version = in->q->version ? in->q->version : "";
	j->r.lang = "en";
	j->r.mode = role == ROLE_PATIENT ? "self" : "with-professional";
	j->r.answers = json;
	j->r.entered_by = by;
	j->at_ms = c->now * MS;
	wi.resource_id = arena_printf(d->a, "%lld", (long long)j->r.id);
	DEMO_TRY(write_within(d->db, c, &wi, response_write, j));
	j->op = RESPONSE_COMPLETE;
	j->today = clock_date(d->a, c->now);
	for (i = 0; i < rep.n_scores && i < RESPONSE_SCORES_MAX; i++) {
		const struct score_result *r = &rep.scores[i];

		j->scores[i].name = r->score->name;
		j->scores[i].computed = r->computed;
		j->scores[i].value_milli = (int64_t)(r->value * 1000 + 0.5);
		j->scores[i].band = r->band ? r->band->code : "";
		j->scores[i].reason = r->reason ? r->reason : "";
		j->nscores++;
	}
	for (i = 0; i < rep.n_flags && i < RESPONSE_ALERTS_MAX; i++) {
		memset(&al[i], 0, sizeof(al[i]));
		al[i].org_id = d->org_id;
		al[i].patient_id = p->id;
		al[i].measure = arena_printf(d->a, "flag:%s#%s", in->q->url,
					     rep.flags[i].flag->code);
		al[i].kind = "flag";
		al[i].urgent = rep.flags[i].flag->urgent;
		al[i].label = rep.flags[i].flag->label;
		al[i].value_text = "1";
		al[i].at_ms = c->now * MS;
		al[i].response_id = j->r.id;
	}
	j->alerts = al;
	j->nalerts = i;
	wi.action = "update";
	return write_within(d->db, c, &wi, response_write, j);
}

/* A request from `by` for instrument `id`. */
static enum err
request(struct demo_care *d, const struct demo_care_patient *p,
	const char *id, const char *schedule, int due_in_days, int every,
	int days_ago, int64_t *out)
{
	const struct instrument *in = instrument_get(id, "en");
	struct write_info wi = {
		.action = "create",
		.resource_type = SCHEDULE_RES,
		.patient_id = p->id,
		.detail = "questionnaire-sent",
		.touchpoint_kind = "questionnaire-sent",
	};
	struct schedule_job j;
	struct ctx *c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p,
				     days_ago, 0);

	if (!in)
		return ERR_NOT_FOUND;
	memset(&j, 0, sizeof(j));
	j.r.id = id_new();
	j.r.org_id = d->org_id;
	j.r.patient_id = p->id;
	j.r.instrument_url = in->q->url;
	j.r.schedule = schedule;
	j.r.due_date = clock_date(d->a, d->now + (int64_t)due_in_days *
							 DEMO_CARE_DAY);
	j.r.every_days = every;
	j.r.appointment_date =
		!strcmp(schedule, "before")
			? clock_date(d->a, d->now + (int64_t)(due_in_days + 3) *
							     DEMO_CARE_DAY)
			: "";
	j.r.days_before = !strcmp(schedule, "before") ? 3 : 0;
	j.by = p->team[0];
	j.at_ms = c->now * MS;
	wi.resource_id = arena_printf(d->a, "%lld", (long long)j.r.id);
	if (out)
		*out = j.r.id;
	return write_within(d->db, c, &wi, schedule_write, &j);
}

/* `n` readings of `kind`, one every `step_days` until today, made by
 * `gen` from the day's index, stored in one import by the patient. */
static enum err
readings(struct demo_care *d, const struct demo_care_patient *p,
	 const char *kind, int n, int step_days, uint32_t *seed,
	 void (*gen)(int i, int n, uint32_t *seed, double *v1, double *v2))
{
	const struct reading_def *def = reading_find(str_c(kind));
	struct write_info wi = {
		.action = "create",
		.resource_type = READING_RES,
		.patient_id = p->id,
		.detail = "readings-imported",
		.touchpoint_kind = "readings",
	};
	struct reading_import_job j;
	struct reading *rows;
	struct ctx *c;
	int i;

	if (!def || !(rows = arena_calloc(d->a, (size_t)n, sizeof(*rows))))
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		struct reading_value v = {.kind = def->kind};

		gen(i, n, seed, &v.v[0], &v.v[1]);
		rows[i].kind = def->key;
		rows[i].at_ms = (d->now - (int64_t)(n - i) * step_days *
						  DEMO_CARE_DAY -
				 (int64_t)(next_rand(seed) % 3600) - 7200) *
				MS;
		if (!reading_to_milli(&v, &rows[i].value_milli,
				      &rows[i].value2_milli))
			return ERR_INVALID;
	}
	c = demo_care_as(d, p->account_id ? p->account_id : p->team[0],
			 p->account_id ? ROLE_PATIENT : ROLE_PROFESSIONAL, p, 0,
			 0);
	memset(&j, 0, sizeof(j));
	j.org_id = d->org_id;
	j.patient_id = p->id;
	j.rows = rows;
	j.n = (size_t)n;
	j.source = "demo";
	j.entered_by = c->actor.account_id;
	j.at_ms = c->now * MS;
	return write_within(d->db, c, &wi, reading_import, &j);
}

/* Blood pressure easing from about 152/94 to 134/84 over the series. */
static void
gen_bp(int i, int n, uint32_t *s, double *v1, double *v2)
{
	double f = (double)i / (n > 1 ? n - 1 : 1);

	*v1 = (double)(int)(152 - 18 * f + noise(s, 7));
	*v2 = (double)(int)(94 - 10 * f + noise(s, 5));
}

static void
gen_weight(int i, int n, uint32_t *s, double *v1, double *v2)
{
	(void)v2;
	*v1 = (double)(int)((84.0 - 3.0 * i / (n > 1 ? n - 1 : 1) +
			     noise(s, 0.6)) * 10) / 10;
}

static void
gen_steps(int i, int n, uint32_t *s, double *v1, double *v2)
{
	(void)v2;
	*v1 = (double)(int)(3500 + 2500.0 * i / (n > 1 ? n - 1 : 1) +
			    noise(s, 1500));
}

static void
gen_glucose(int i, int n, uint32_t *s, double *v1, double *v2)
{
	(void)i;
	(void)n;
	(void)v2;
	*v1 = (double)(int)((7.8 + noise(s, 1.8)) * 10) / 10;
}

/* The blood-pressure target María and her doctor agreed. */
static enum err
bp_target(struct demo_care *d, const struct demo_care_patient *p)
{
	struct write_info wi = {
		.action = "create",
		.resource_type = TARGET_RES,
		.resource_id = "blood-pressure",
		.patient_id = p->id,
		.detail = "target",
		.touchpoint_kind = "target",
	};
	struct target_job j;
	struct ctx *c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, 40,
				     0);

	memset(&j, 0, sizeof(j));
	j.t.patient_id = p->id;
	j.t.org_id = d->org_id;
	j.t.measure = "blood-pressure";
	j.t.has_high = j.t.has_high2 = true;
	j.t.high_milli = 140 * MS;
	j.t.high2_milli = 90 * MS;
	j.t.has_low = j.t.has_low2 = true;
	j.t.low_milli = 90 * MS;
	j.t.low2_milli = 60 * MS;
	j.t.advice = "Sit quietly for five minutes and measure again. If it "
		     "is still above 140/90 on three days in a row, call the "
		     "surgery and ask for the nurse. If you have chest pain "
		     "or a severe headache, call the emergency number.";
	j.voice = "professional";
	j.by = p->team[0];
	j.at_ms = c->now * MS;
	DEMO_TRY(write_within(d->db, c, &wi, target_write, &j));
	/* María agrees a day later, in her own words on the page. */
	c = demo_care_as(d, p->account_id, ROLE_PATIENT, p, 39, 0);
	j.agree = true;
	j.version = j.t.version;
	j.voice = "patient";
	j.by = p->account_id;
	j.at_ms = c->now * MS;
	wi.action = "update";
	return write_within(d->db, c, &wi, target_write, &j);
}

/* Her last three readings, above the target: one open alert, count 3. */
static enum err
high_readings(struct demo_care *d, const struct demo_care_patient *p)
{
	static const int sys[] = {148, 151, 146}, dia[] = {93, 95, 92};
	struct write_info wi = {
		.action = "create",
		.resource_type = READING_RES,
		.patient_id = p->id,
		.detail = "reading",
		.touchpoint_kind = "readings",
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct reading_add_job j;
		struct ctx *c = demo_care_as(d, p->account_id, ROLE_PATIENT, p,
					     0, -(int)(3 - i) * 300);

		memset(&j, 0, sizeof(j));
		j.r.id = id_new();
		j.r.org_id = d->org_id;
		j.r.patient_id = p->id;
		j.r.kind = "blood-pressure";
		j.r.at_ms = c->now * MS;
		j.r.value_milli = sys[i] * MS;
		j.r.value2_milli = dia[i] * MS;
		j.r.source = "web";
		j.r.entered_by = p->account_id;
		j.r.entered_ms = j.r.at_ms;
		j.value_text = arena_printf(d->a, "%d/%d mmHg", sys[i], dia[i]);
		wi.resource_id = arena_printf(d->a, "%lld", (long long)j.r.id);
		DEMO_TRY(write_within(d->db, c, &wi, reading_add, &j));
	}
	return ERR_OK;
}

static enum err
close_first_alert(struct demo_care *d, const struct demo_care_patient *p)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = ALERT_RES,
		.patient_id = p->id,
		.detail = "alert-closed",
	};
	struct measure_alert *al;
	struct alert_close_job j;
	size_t n, i;
	struct ctx *c;

	DEMO_TRY(alert_list_for_patient(d->db, d->a, p->id, 20, &al, &n));
	for (i = 0; i < n; i++) {
		if (!al[i].open || strcmp(al[i].kind, "flag"))
			continue;
		c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, 125, 0);
		memset(&j, 0, sizeof(j));
		j.id = al[i].id;
		j.patient_id = p->id;
		j.note = "Called María the same afternoon. She is safe; we went "
			 "through her crisis plan together and booked an "
			 "appointment for this week.";
		j.by = p->team[0];
		j.at_ms = c->now * MS;
		wi.resource_id = arena_printf(d->a, "%lld", (long long)j.id);
		DEMO_TRY(write_within(d->db, c, &wi, alert_close, &j));
	}
	return ERR_OK;
}

static enum err
agenda_item(struct demo_care *d, const struct demo_care_patient *p,
	    const char *text, int days_ago, bool discussed)
{
	struct write_info wi = {
		.action = "create",
		.resource_type = AGENDA_RES,
		.patient_id = p->id,
		.detail = "agenda-item",
		.touchpoint_kind = "visit-agenda",
	};
	struct agenda_job j;
	struct ctx *c = demo_care_as(d, p->account_id, ROLE_PATIENT, p,
				     days_ago, 0);

	memset(&j, 0, sizeof(j));
	j.org_id = d->org_id;
	j.item.id = id_new();
	j.item.patient_id = p->id;
	j.item.text = text;
	j.by = p->account_id;
	j.at_ms = c->now * MS;
	wi.resource_id = arena_printf(d->a, "%lld", (long long)j.item.id);
	DEMO_TRY(write_within(d->db, c, &wi, agenda_write, &j));
	if (!discussed)
		return ERR_OK;
	c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, days_ago - 3,
			 0);
	j.discussed = true;
	j.by = p->team[0];
	j.at_ms = c->now * MS;
	wi.action = "update";
	wi.detail = "agenda-discussed";
	return write_within(d->db, c, &wi, agenda_write, &j);
}

/* María's PHQ-9 answers, every two weeks from 20 weeks ago: item 9 is
 * above 0 in the second. */
static const int maria_phq9[10][9] = {
	{2, 2, 3, 2, 2, 2, 2, 1, 0}, {2, 3, 3, 2, 2, 2, 2, 1, 1},
	{2, 2, 2, 2, 2, 2, 1, 1, 0}, {2, 2, 2, 2, 1, 2, 1, 1, 0},
	{1, 2, 2, 2, 1, 1, 1, 1, 0}, {1, 1, 2, 2, 1, 1, 1, 0, 0},
	{1, 1, 2, 1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1, 0, 0, 0},
	{1, 1, 1, 1, 0, 1, 1, 0, 0}, {1, 0, 1, 1, 0, 1, 0, 0, 0},
};

static const int maria_gad7[5][7] = {
	{2, 2, 3, 2, 1, 2, 2}, {2, 2, 2, 2, 1, 1, 2}, {1, 2, 2, 1, 1, 1, 1},
	{1, 1, 2, 1, 0, 1, 1}, {1, 1, 1, 1, 0, 1, 0},
};

static const int maria_who5[2][5] = {{1, 2, 1, 1, 2}, {3, 3, 2, 2, 3}};

static enum err
maria(struct demo_care *d, const struct demo_care_patient *p)
{
	uint32_t seed = 20261122;
	int64_t rq = 0;
	size_t i;

	for (i = 0; i < 10; i++)
		DEMO_TRY(answer(d, p, "phq-9", maria_phq9[i], 9,
				140 - (int)i * 14, p->account_id, ROLE_PATIENT,
				0));
	DEMO_TRY(close_first_alert(d, p));
	for (i = 0; i < 5; i++)
		DEMO_TRY(answer(d, p, "gad-7", maria_gad7[i], 7,
				130 - (int)i * 28,
				i == 2 ? p->team[1] : p->account_id,
				i == 2 ? ROLE_PROFESSIONAL : ROLE_PATIENT, 0));
	DEMO_TRY(answer(d, p, "who-5", maria_who5[0], 5, 120, p->account_id,
			ROLE_PATIENT, 0));
	DEMO_TRY(answer(d, p, "who-5", maria_who5[1], 5, 10, p->account_id,
			ROLE_PATIENT, 0));
	DEMO_TRY(request(d, p, "phq-9", "repeat", 0, 14, 150, &rq));
	DEMO_TRY(request(d, p, "gad-7", "before", 4, 0, 2, NULL));
	DEMO_TRY(readings(d, p, "blood-pressure", 120, 1, &seed, gen_bp));
	DEMO_TRY(readings(d, p, "weight", 26, 7, &seed, gen_weight));
	DEMO_TRY(readings(d, p, "steps", 90, 1, &seed, gen_steps));
	DEMO_TRY(bp_target(d, p));
	DEMO_TRY(high_readings(d, p));
	DEMO_TRY(agenda_item(d, p, "My sleep is still broken most nights.", 3,
			     false));
	DEMO_TRY(agenda_item(d, p,
			     "Can we talk about my blood pressure tablets? "
			     "The readings went up again this week.",
			     1, false));
	return agenda_item(d, p, "The side effects of the new tablets.", 40,
			   true);
}

enum err
demo_care_measures(struct demo_care *d)
{
	uint32_t seed = 4242;
	size_t i;

	if (!d->n)
		return ERR_OK;
	DEMO_TRY(maria(d, &d->patients[0]));
	for (i = 1; i < d->n && i <= OTHER_PATIENTS; i++) {
		const struct demo_care_patient *p = &d->patients[i];
		int vals[9], k, r;

		for (r = 0; r < 3; r++) {
			for (k = 0; k < 9; k++)
				vals[k] = (int)(next_rand(&seed) % (k == 8 ? 1
									   : 4));
			DEMO_TRY(answer(d, p, i % 2 ? "phq-9" : "gad-7", vals,
					i % 2 ? 9 : 7, 90 - r * 30,
					p->account_id ? p->account_id
						      : p->team[0],
					p->account_id ? ROLE_PATIENT
						      : ROLE_PROFESSIONAL,
					0));
		}
		if (i % 3 == 0)
			DEMO_TRY(readings(d, p, "blood-pressure", 60, 1, &seed,
					  gen_bp));
		if (i % 4 == 1)
			DEMO_TRY(readings(d, p, "glucose", 45, 2, &seed,
					  gen_glucose));
		if (i % 5 == 2)
			DEMO_TRY(request(d, p, "who-5", "once", 0, 0, 1,
					 NULL));
	}
	return ERR_OK;
}
