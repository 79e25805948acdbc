/*
 * Unit tests for scoring (measures/scoring.h) and the instrument library
 * (measures/instrument.h): every rule of the score and flag extensions
 * on tests/data/instruments/rules-test.json; the published PHQ-9 and
 * GAD-7 cut-offs on the test copies in tests/data/instruments; adopting
 * the published rules for the PHQ-9s and the GAD-7 written elsewhere
 * (../shared/testdata/fhir-questionnaires, read in place, see SOURCE.txt
 * there); the library's files against tests/data/scoring-cases.json.
 *
 * Expected values come from the published rules:
 * - PHQ-9: Kroenke K, Spitzer RL, Williams JB. The PHQ-9: validity of a
 *   brief depression severity measure. J Gen Intern Med 2001;16:606-13.
 *   Nine items scored 0-3, total 0-27; 5, 10, 15 and 20 are the lower
 *   limits of mild, moderate, moderately severe and severe depression.
 * - GAD-7: Spitzer RL, Kroenke K, Williams JB, Lowe B. A brief measure
 *   for assessing generalized anxiety disorder: the GAD-7. Arch Intern
 *   Med 2006;166:1092-7. Seven items scored 0-3, total 0-21; 5, 10 and
 *   15 are the cut-offs for mild, moderate and severe anxiety.
 */
#include "support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/problem.h"
#include "measures/instrument.h"
#include "measures/questionnaire.h"
#include "measures/scoring.h"

#define ARENA_CAP (64 << 20)
#define DATA "tests/data/instruments/"
#define QS "../shared/testdata/fhir-questionnaires/"
#define R4 "../shared/testdata/fhir-r4-examples/"

/* The LOINC answers of PHQ-9 and GAD-7 items, by value 0-3. */
static const char *const freq[] = {
	"LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9",
};

static struct questionnaire *
load(struct arena *a, const char *path)
{
	struct questionnaire *q;
	size_t len;
	char *text = test_read_file(path, &len);
	const char *why;

	if (!text)
		fail_msg("cannot read %s", path);
	if (q_parse(a, text, len, &q, &why) != ERR_OK)
		fail_msg("%s: %s", path, why);
	free(text);
	return q;
}

static const struct q_item *
item(const struct questionnaire *q, const char *link_id)
{
	const struct q_item *it = q_item_get(q, link_id);

	if (!it)
		fail_msg("no item '%s'", link_id);
	return it;
}

/* Sets `link_id` to one form value, or clears it with NULL. */
static void
set(struct arena *a, const struct questionnaire *q, struct q_answers *ans,
    const char *link_id, const char *value)
{
	struct q_value *v = NULL;
	const char *why;
	size_t n = 0;

	if (value && q_answer_from_form(a, item(q, link_id), &value, 1, &v,
					&n, &why) != ERR_OK)
		fail_msg("%s = %s: %s", link_id, value, why);
	assert_int_equal(q_answers_set(a, ans, item(q, link_id), v, n),
			 ERR_OK);
}

static const struct score_result *
result(const struct score_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_scores; i++)
		if (!strcmp(r->scores[i].score->name, name))
			return &r->scores[i];
	fail_msg("no score '%s'", name);
	return NULL;
}

static void
expect_score(const struct score_report *r, const char *name, double v,
	     const char *band)
{
	const struct score_result *s = result(r, name);

	if (!s->computed)
		fail_msg("%s not computed: %s", name, s->reason);
	if (fabs(s->value - v) > 1e-9)
		fail_msg("%s = %.6f, expected %.6f", name, s->value, v);
	assert_null(s->reason);
	if (!band)
		assert_null(s->band);
	else if (!s->band || strcmp(s->band->code, band))
		fail_msg("%s: band %s, expected %s", name,
			 s->band ? s->band->code : "none", band);
}

static void
expect_reason(const struct score_report *r, const char *name,
	      const char *reason)
{
	const struct score_result *s = result(r, name);

	assert_false(s->computed);
	assert_null(s->band);
	assert_string_equal(s->reason, reason);
}

static void
score(struct arena *a, const struct questionnaire *q,
      const struct q_answers *ans, struct score_report *r)
{
	assert_int_equal(score_response(a, q, ans, r), ERR_OK);
}

/* --- the rules ------------------------------------------------------------ */

static void
test_sum_reverse_prorate(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, DATA "rules-test.json");
	struct score_report r;
	struct q_answers ans;

	/* a1 always (4), a2 rarely (1, reversed: 0 + 4 - 1 = 3), a3
	 * sometimes (2): 9 from 3 of 4 items, prorated 9 / 3 * 4 = 12. */
	q_answers_init(&ans);
	set(a, q, &ans, "a1", "always");
	set(a, q, &ans, "a2", "rarely");
	set(a, q, &ans, "a3", "sometimes");
	score(a, q, &ans, &r);
	expect_score(&r, "sum", 12, "high");
	assert_int_equal(result(&r, "sum")->answered, 3);
	/* "above 12": 12 raises nothing. */
	assert_int_equal(r.n_flags, 0);
	assert_false(r.urgent);

	/* "Does not apply" has no value: still 3 answered. */
	set(a, q, &ans, "a4", "n-a");
	score(a, q, &ans, &r);
	expect_score(&r, "sum", 12, "high");

	/* All four: 4 + 3 + 2 + 4 = 13, nothing to prorate; the urgent
	 * score flag is raised. */
	set(a, q, &ans, "a4", "always");
	score(a, q, &ans, &r);
	expect_score(&r, "sum", 13, "high");
	assert_int_equal(r.n_flags, 1);
	assert_string_equal(r.flags[0].flag->code, "high-sum");
	assert_true(r.flags[0].value == 13);
	assert_true(r.urgent);

	/* Two answered: fewer than minAnswered 3. */
	set(a, q, &ans, "a3", NULL);
	set(a, q, &ans, "a4", NULL);
	score(a, q, &ans, &r);
	expect_reason(&r, "sum", "2 of 4 items answered; at least 3 are "
				 "needed");
	assert_int_equal(r.n_flags, 0); /* no score, no score flag */
	arena_free(a);
}

static void
test_bands_inclusive(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, DATA "rules-test.json");
	static const struct {
		const char *a1, *a2;
		double sum;
		const char *band;
	} cases[] = {
		/* a3 never (0), a4 always (4); a2 reversed. */
		{"never", "always", 4, "low"},
		{"rarely", "always", 5, "low"},		/* upper limit */
		{"sometimes", "always", 6, "mid"},	/* lower limit */
		{"always", "sometimes", 10, "mid"},
		{"always", "rarely", 11, "high"},
		{"always", "never", 12, "high"},
	};
	struct score_report r;
	struct q_answers ans;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		q_answers_init(&ans);
		set(a, q, &ans, "a1", cases[i].a1);
		set(a, q, &ans, "a2", cases[i].a2);
		set(a, q, &ans, "a3", "never");
		set(a, q, &ans, "a4", "always");
		score(a, q, &ans, &r);
		expect_score(&r, "sum", cases[i].sum, cases[i].band);
	}
	arena_free(a);
}

static void
test_mean_multiplier(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, DATA "rules-test.json");
	struct score_report r;
	struct q_answers ans;
	char buf[32];

	/* Mean of the answered (no reversing in this score), times 25. */
	q_answers_init(&ans);
	set(a, q, &ans, "a1", "always");
	score(a, q, &ans, &r);
	expect_reason(&r, "mean", "1 of 4 items answered; at least 2 are "
				  "needed");
	set(a, q, &ans, "a2", "rarely");
	score(a, q, &ans, &r);
	expect_score(&r, "mean", 62.5, NULL);
	set(a, q, &ans, "a3", "sometimes");
	score(a, q, &ans, &r);
	expect_score(&r, "mean", 7.0 / 3 * 25, NULL);
	assert_string_equal(score_format(buf, sizeof(buf),
					 result(&r, "mean")->value), "58.33");
	arena_free(a);
}

static void
test_weighted(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, DATA "rules-test.json");
	struct score_report r;
	struct q_answers ans;

	/* 2 x often (3) + 0.5 x 4 + 3 x yes (1) = 11. */
	q_answers_init(&ans);
	set(a, q, &ans, "a1", "often");
	set(a, q, &ans, "n1", "4");
	score(a, q, &ans, &r);
	expect_reason(&r, "weighted", "2 of 3 items answered; all 3 are "
				      "needed");
	set(a, q, &ans, "yes", "true");
	score(a, q, &ans, &r);
	expect_score(&r, "weighted", 11, NULL);
	/* The item flag on "yes" (above 0), not urgent. */
	assert_int_equal(r.n_flags, 1);
	assert_string_equal(r.flags[0].flag->code, "said-yes");
	assert_string_equal(r.flags[0].flag->item->link_id, "yes");
	assert_true(r.flags[0].value == 1);
	assert_false(r.urgent);
	set(a, q, &ans, "yes", "false");
	score(a, q, &ans, &r);
	expect_score(&r, "weighted", 8, NULL);
	assert_int_equal(r.n_flags, 0);
	arena_free(a);
}

static void
test_top_box(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, DATA "rules-test.json");
	struct score_report r;
	struct q_answers ans;

	q_answers_init(&ans);
	set(a, q, &ans, "a1", "always");
	score(a, q, &ans, &r);
	expect_reason(&r, "top", "1 of 2 items answered; all 2 are needed");
	set(a, q, &ans, "a3", "always");
	score(a, q, &ans, &r);
	expect_score(&r, "top", 1, NULL);
	set(a, q, &ans, "a3", "often");
	score(a, q, &ans, &r);
	expect_score(&r, "top", 0, NULL);
	arena_free(a);
}

static void
test_reverse_numbers(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, DATA "rules-test.json");
	struct score_report r;
	struct q_answers ans;
	char buf[32];

	/* n1 from 0 to 10, reversed: 0 + 10 - 3 = 7. */
	q_answers_init(&ans);
	score(a, q, &ans, &r);
	expect_reason(&r, "number", "0 of 2 items answered; at least 1 is "
				    "needed");
	set(a, q, &ans, "n1", "3");
	score(a, q, &ans, &r);
	expect_score(&r, "number", 7, NULL);
	set(a, q, &ans, "d1", "2.25");
	score(a, q, &ans, &r);
	expect_score(&r, "number", 9.25, NULL);
	set(a, q, &ans, "d1", "0.333");
	score(a, q, &ans, &r);
	assert_string_equal(score_format(buf, sizeof(buf),
					 result(&r, "number")->value), "7.33");
	set(a, q, &ans, "n1", NULL);
	set(a, q, &ans, "d1", "-1");
	score(a, q, &ans, &r);
	expect_score(&r, "number", -1, NULL);
	arena_free(a);
}

static void
test_format(void **state)
{
	char buf[32];

	assert_string_equal(score_format(buf, sizeof(buf), 10), "10");
	assert_string_equal(score_format(buf, sizeof(buf), 0), "0");
	assert_string_equal(score_format(buf, sizeof(buf), -0.001), "0");
	assert_string_equal(score_format(buf, sizeof(buf), 2.5), "2.5");
	assert_string_equal(score_format(buf, sizeof(buf), 2.50001), "2.5");
	assert_string_equal(score_format(buf, sizeof(buf), 10.0 / 3), "3.33");
	assert_string_equal(score_format(buf, sizeof(buf), 2.0 / 3), "0.67");
	assert_string_equal(score_format(buf, sizeof(buf), 0.1 + 0.2), "0.3");
	assert_string_equal(score_format(buf, sizeof(buf), 100), "100");
	assert_string_equal(score_format(buf, sizeof(buf), -7.25), "-7.25");
	assert_string_equal(score_format(buf, sizeof(buf), 1e6), "1000000");
}

/* --- PHQ-9 and GAD-7 by the published rules ------------------------------ */

/* Answers the first `n` of `prefix`1.. with `values` (0-3). */
static void
answer_items(struct arena *a, const struct questionnaire *q,
	     struct q_answers *ans, const char *prefix, const int *values,
	     size_t n)
{
	char link_id[64];
	size_t i;

	q_answers_init(ans);
	for (i = 0; i < n; i++) {
		snprintf(link_id, sizeof(link_id), "%s%zu", prefix, i + 1);
		set(a, q, ans, link_id, freq[values[i]]);
	}
}

static void
test_phq9_published(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, DATA "phq-9.json");
	/* Kroenke 2001: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19
	 * moderately severe, 20-27 severe; each limit checked. */
	static const struct {
		int v[9];
		double total;
		const char *band;
	} cases[] = {
		{{0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, "minimal"},
		{{1, 1, 1, 1, 0, 0, 0, 0, 0}, 4, "minimal"},
		{{1, 1, 1, 1, 1, 0, 0, 0, 0}, 5, "mild"},
		{{3, 3, 3, 0, 0, 0, 0, 0, 0}, 9, "mild"},
		{{3, 3, 3, 1, 0, 0, 0, 0, 0}, 10, "moderate"},
		{{2, 2, 2, 2, 2, 2, 2, 0, 0}, 14, "moderate"},
		{{2, 2, 2, 2, 2, 2, 2, 1, 0}, 15, "moderately-severe"},
		{{3, 3, 3, 3, 3, 2, 2, 0, 0}, 19, "moderately-severe"},
		{{3, 3, 3, 3, 3, 3, 2, 0, 0}, 20, "severe"},
		{{3, 3, 3, 3, 3, 3, 3, 3, 3}, 27, "severe"},
	};
	struct score_report r;
	struct q_answers ans;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		answer_items(a, q, &ans, "q", cases[i].v, 9);
		score(a, q, &ans, &r);
		expect_score(&r, "total", cases[i].total, cases[i].band);
		/* Item 9 above 0 is the urgent self-harm flag. */
		assert_int_equal(r.n_flags, cases[i].v[8] > 0);
		assert_int_equal(r.urgent, cases[i].v[8] > 0);
	}
	assert_string_equal(r.flags[0].flag->code, "self-harm");
	assert_true(r.flags[0].value == 3);

	/* All nine items are needed. */
	answer_items(a, q, &ans, "q", cases[9].v, 8);
	score(a, q, &ans, &r);
	expect_reason(&r, "total", "8 of 9 items answered; all 9 are needed");
	/* The difficulty question is not part of the total. */
	answer_items(a, q, &ans, "q", cases[0].v, 9);
	set(a, q, &ans, "difficulty", "LA6574-3");
	score(a, q, &ans, &r);
	expect_score(&r, "total", 0, "minimal");
	arena_free(a);
}

static void
test_gad7_published(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, DATA "gad-7.json");
	/* Spitzer 2006: 5, 10, 15 = mild, moderate, severe. */
	static const struct {
		int v[7];
		double total;
		const char *band;
	} cases[] = {
		{{0, 0, 0, 0, 0, 0, 0}, 0, "minimal"},
		{{1, 1, 1, 1, 0, 0, 0}, 4, "minimal"},
		{{1, 1, 1, 1, 1, 0, 0}, 5, "mild"},
		{{3, 3, 3, 0, 0, 0, 0}, 9, "mild"},
		{{3, 3, 3, 1, 0, 0, 0}, 10, "moderate"},
		{{2, 2, 2, 2, 2, 2, 2}, 14, "moderate"},
		{{3, 2, 2, 2, 2, 2, 2}, 15, "severe"},
		{{3, 3, 3, 3, 3, 3, 3}, 21, "severe"},
	};
	struct score_report r;
	struct q_answers ans;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		answer_items(a, q, &ans, "g", cases[i].v, 7);
		score(a, q, &ans, &r);
		expect_score(&r, "total", cases[i].total, cases[i].band);
		assert_int_equal(r.n_flags, 0);
	}
	arena_free(a);
}

/* --- adopting published rules -------------------------------------------- */

/* The test library: the PHQ-9 and GAD-7 copies of tests/data. */
static void
test_library(struct arena *a, struct instrument lib[2])
{
	memset(lib, 0, 2 * sizeof(lib[0]));
	lib[0].id = "gad-7";
	lib[0].lang = "en";
	lib[0].q = load(a, DATA "gad-7.json");
	lib[1].id = "phq-9";
	lib[1].lang = "en";
	lib[1].q = load(a, DATA "phq-9.json");
}

static void
test_adopt_lhcforms(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, QS "lhcforms-phq9.json");
	static const char *const ids[] = {
		"/44250-9", "/44255-8", "/44259-0", "/44254-1", "/44251-7",
		"/44258-2", "/44252-5", "/44253-3", "/44260-8",
	};
	static const int v[] = {3, 2, 2, 1, 2, 1, 2, 2, 0};
	const struct instrument *match;
	struct instrument lib[2];
	struct adopt_notes notes;
	struct score_report r;
	struct q_answers ans;
	const char *why;
	size_t i;

	test_library(a, lib);
	/* LOINC 44249-1 is the PHQ-9 panel. */
	match = instrument_match(q, lib, 2);
	assert_ptr_equal(match, &lib[1]);
	assert_int_equal(instrument_adopt(a, q, match->q, &notes, &why),
			 ERR_OK);
	assert_null(why);
	/* Its values are the published ones: nothing to warn about. */
	assert_int_equal(notes.n, 0);
	assert_ptr_equal(q->rules_from, lib[1].q);
	assert_int_equal(q->n_scores, 1);
	/* Items by LOINC code: the nine questions, not the difficulty. */
	for (i = 0; i < 9; i++)
		assert_ptr_equal(q->scores[0].items[i], item(q, ids[i]));
	assert_ptr_equal(q->flags[0].item, item(q, "/44260-8"));

	/* 3+2+2+1+2+1+2+2+0 = 15: moderately severe (Kroenke 2001). */
	q_answers_init(&ans);
	for (i = 0; i < 9; i++)
		set(a, q, &ans, ids[i], freq[v[i]]);
	set(a, q, &ans, "/69722-7", "LA6575-0");
	score(a, q, &ans, &r);
	expect_score(&r, "total", 15, "moderately-severe");
	assert_int_equal(r.n_flags, 0);
	arena_free(a);
}

static void
test_adopt_stanford_gad7(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, QS "stanford-gad7.json");
	struct instrument lib[2];
	struct adopt_notes notes;
	struct score_report r;
	struct q_answers ans;
	const char *why;
	size_t i;

	test_library(a, lib);
	/* No LOINC code and its own url: the importer says which it is. */
	assert_null(instrument_match(q, lib, 2));
	assert_int_equal(instrument_adopt(a, q, lib[0].q, &notes, &why),
			 ERR_OK);
	assert_int_equal(notes.n, 0);
	/* In order: the seven questions of the group. */
	for (i = 0; i < 7; i++)
		assert_ptr_equal(q->scores[0].items[i],
				 &q->items[0].children[i]);
	/* Answers matched by display ("Several days"): 7 x 1 = 7, mild
	 * (Spitzer 2006: 5-9). */
	q_answers_init(&ans);
	for (i = 0; i < 7; i++)
		set(a, q, &ans, q->items[0].children[i].link_id,
		    "Several-days");
	score(a, q, &ans, &r);
	expect_score(&r, "total", 7, "mild");
	/* One more point on the last item: 8, still mild; all items at
	 * "Nearly every day": 21, severe. */
	set(a, q, &ans, q->items[0].children[6].link_id,
	    "More than half the days");
	score(a, q, &ans, &r);
	expect_score(&r, "total", 8, "mild");
	for (i = 0; i < 7; i++)
		set(a, q, &ans, q->items[0].children[i].link_id,
		    "Nearly every day");
	score(a, q, &ans, &r);
	expect_score(&r, "total", 21, "severe");
	arena_free(a);
}

/*
 * The HL7 SDC PHQ-9 example: its answer list gives "Nearly every day"
 * the weight 4 where the PHQ-9 gives 3, and its response stores a total
 * of 13. The answers are 0,0,0,1,2,1,3,2,1: by the published values the
 * total is 10, moderate (Kroenke 2001); the file's weights would give
 * 11; the stored 13 is wrong either way.
 */
static void
score_sdc(struct arena *a, const struct questionnaire *library)
{
	struct questionnaire *q = load(a, QS "sdc-phq9-questionnaire.json");
	struct adopt_notes notes;
	struct score_report r;
	struct q_answers ans;
	const char *why;
	size_t len;
	char *text;

	assert_int_equal(instrument_adopt(a, q, library, &notes, &why),
			 ERR_OK);
	assert_int_equal(notes.n, 1);
	assert_string_equal(notes.msg[0], "answer 'Nearly every day' has the "
					  "value 4 in this file; the "
					  "published value is 3 (9 items)");
	/* The published values replace the file's, "Not at all" too. */
	assert_true(item(q, "H1/T1/Q1")->options[3].value == 3);
	assert_true(item(q, "H1/T1/Q1")->options[0].has_value);

	text = test_read_file(QS "sdc-phq9-questionnaireresponse.json", &len);
	assert_non_null(text);
	assert_int_equal(q_answers_from_response(a, q, text, len, &ans, &why),
			 ERR_OK);
	free(text);
	score(a, q, &ans, &r);
	expect_score(&r, "total", 10, "moderate");
	assert_true(r.scores[0].value != 13 && r.scores[0].value != 11);
	/* Item 9 "Several days": the self-harm flag. */
	assert_int_equal(r.n_flags, 1);
	assert_string_equal(r.flags[0].flag->code, "self-harm");
	assert_string_equal(r.flags[0].flag->item->link_id, "H1/T1/Q9");
	assert_true(r.urgent);
}

static void
test_adopt_sdc(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, QS "sdc-phq9-questionnaire.json");
	const struct instrument *real;
	struct instrument lib[2];
	struct score_report r;
	struct q_answers ans;
	const char *why;
	size_t len;
	char *text;

	test_library(a, lib);
	/* No panel code, its own url: not matched by itself. */
	assert_null(instrument_match(q, lib, 2));
	/* Unadopted it has no scores at all. */
	text = test_read_file(QS "sdc-phq9-questionnaireresponse.json", &len);
	assert_int_equal(q_answers_from_response(a, q, text, len, &ans, &why),
			 ERR_OK);
	free(text);
	score(a, q, &ans, &r);
	assert_int_equal(r.n_scores, 0);

	score_sdc(a, lib[1].q);
	/* The same with the library's own PHQ-9, as `cocare score` does. */
	real = instrument_get("phq-9", NULL);
	if (real)
		score_sdc(a, real->q);
	arena_free(a);
}

static void
test_adopt_refusals(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct questionnaire *q = load(a, R4 "Questionnaire-phq-9-"
					    "questionnaire.json");
	struct questionnaire *mini = load(a, DATA "mini.json");
	struct questionnaire *none = load(a, R4 "Questionnaire-gcs.json");
	struct instrument lib[2];
	struct adopt_notes notes;
	const struct q_item *it;
	const char *why;
	size_t i;
	static const struct {
		const char *items, *why;
	} bad[] = {
		{"{'linkId':'x','type':'choice','answerOption':["
		 "{'valueCoding':{'code':'bad'}},"
		 "{'valueCoding':{'code':'good'}},"
		 "{'valueCoding':{'code':'meh'}}]}",
		 "item 'x' has 3 answers; the published item has 2"},
		{"{'linkId':'x','type':'choice','answerOption':["
		 "{'valueCoding':{'code':'t','display':'Terrible'}},"
		 "{'valueCoding':{'code':'g','display':'Good'}}]}",
		 "item 'x': answer 'Terrible' matches no published answer"},
		{"{'linkId':'x','type':'choice','answerOption':["
		 "{'valueCoding':{'code':'b1','display':'bad'}},"
		 "{'valueCoding':{'code':'b2','display':' BAD '}}]}",
		 "item 'x': two answers match the published answer 'Bad'"},
		{"{'linkId':'x','type':'choice','answerOption':["
		 "{'valueCoding':{'code':'bad'}}]},"
		 "{'linkId':'y','type':'boolean'}",
		 "the file has 2 questions that can be scored; How are you "
		 "today? scores 1, so they cannot be matched in order"},
		{"{'linkId':'x','type':'integer'}",
		 "item 'x' is of type integer, but the published item it "
		 "matches is of type choice"},
	};

	test_library(a, lib);
	/* The R4 core PHQ-9 example has no item 9 (LOINC 44260-8). */
	assert_ptr_equal(instrument_match(q, lib, 2), &lib[1]);
	it = item(q, "LittleInterest");
	assert_int_equal(instrument_adopt(a, q, lib[1].q, &notes, &why),
			 ERR_INVALID);
	assert_string_equal(why, "the file has no item with code '44260-8' "
				 "(\"Thoughts that you would be better off "
				 "dead, or of hurting yourself in some way\" "
				 "of PHQ-9 (test copy))");
	/* Unchanged on error. */
	assert_int_equal(q->n_scores, 0);
	assert_null(q->rules_from);
	assert_int_equal(it->n_options, 0);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *json = arena_printf(a, "{'resourceType':'Questionnaire',"
					     "'item':[%s]}", bad[i].items), *c;
		struct questionnaire *imp;

		for (c = json; *c; c++)
			if (*c == '\'')
				*c = '"';
		assert_int_equal(q_parse(a, json, strlen(json), &imp, &why),
				 ERR_OK);
		assert_int_equal(instrument_adopt(a, imp, mini, &notes, &why),
				 ERR_INVALID);
		assert_string_equal(why, bad[i].why);
		assert_int_equal(imp->n_scores, 0);
	}
	/* A library questionnaire without rules has nothing to give. */
	assert_int_equal(instrument_adopt(a, q, none, &notes, &why),
			 ERR_INVALID);
	assert_non_null(strstr(why, "has no scoring rules to adopt"));
	arena_free(a);
}

/* An external answer list takes the published answers. */
static void
test_adopt_external_list(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	const char *json = "{\"resourceType\":\"Questionnaire\",\"item\":[{"
			   "\"linkId\":\"x\",\"type\":\"choice\","
			   "\"answerValueSet\":\"http://example.org/vs\"}]}";
	struct questionnaire *mini = load(a, DATA "mini.json"), *q;
	struct adopt_notes notes;
	struct score_report r;
	struct q_answers ans;
	const char *why;

	assert_int_equal(q_parse(a, json, strlen(json), &q, &why), ERR_OK);
	assert_int_equal(instrument_adopt(a, q, mini, &notes, &why), ERR_OK);
	assert_int_equal(item(q, "x")->n_options, 2);
	q_answers_init(&ans);
	set(a, q, &ans, "x", "good");
	score(a, q, &ans, &r);
	expect_score(&r, "total", 1, NULL);
	arena_free(a);
}

/* Adopting and scoring with every arena size from too small to enough:
 * ERR_NOMEM leaves the imported questionnaire as it was. */
static void
test_adopt_out_of_memory(void **state)
{
	struct questionnaire *q, *lib;
	struct adopt_notes notes;
	struct score_report r;
	struct q_answers ans;
	struct arena *a, *b;
	const char *why;
	enum err e = ERR_NOMEM;
	size_t cap;

	for (cap = 64; e != ERR_OK; cap += 64) {
		assert_true(cap < (4 << 20));
		a = arena_new(ARENA_CAP);
		b = arena_new(cap);
		q = load(a, QS "sdc-phq9-questionnaire.json");
		lib = load(a, DATA "phq-9.json");
		q_answers_init(&ans);
		set(a, q, &ans, "H1/T1/Q7", "Nearly every day");
		e = instrument_adopt(b, q, lib, &notes, &why);
		if (e != ERR_OK) {
			assert_int_equal(e, ERR_NOMEM);
			assert_int_equal(q->n_scores, 0);
			assert_null(q->rules_from);
			assert_true(item(q, "H1/T1/Q7")->options[3].value == 4);
		} else if ((e = score_response(b, q, &ans, &r)) != ERR_OK) {
			assert_int_equal(e, ERR_NOMEM);
		} else {
			assert_string_equal(r.scores[0].reason,
					    "1 of 9 items answered; all 9 are "
					    "needed");
		}
		arena_free(b);
		arena_free(a);
	}
}

/* --- the library --------------------------------------------------------- */

static void
add_file(const char *path, enum err want)
{
	size_t len;
	char *text = test_read_file(path, &len);
	const char *why;

	assert_non_null(text);
	if (instrument_add(path, text, len, &why) != want)
		fail_msg("%s: %s", path, why ? why : "accepted");
	free(text);
}

static void
test_library_lookup(void **state)
{
	const struct instrument *list, *in;
	const char *why = NULL, *bad;
	size_t n, i;

	/* Every embedded file loads: a bad one would be an error here. */
	if (instrument_load(&why) != ERR_OK)
		fail_msg("%s", why);
	list = instrument_list(&n);
	for (i = 1; i < n; i++)
		assert_true(strcmp(list[i - 1].id, list[i].id) < 0);
	for (i = 0; i < n; i++)
		assert_string_equal(list[i].lang, "en");

	add_file(DATA "mini.json", ERR_OK);
	add_file(DATA "mini.es.json", ERR_OK);
	in = instrument_get("mini", NULL);
	assert_non_null(in);
	assert_string_equal(in->lang, "en");
	assert_string_equal(in->q->title, "How are you today?");
	in = instrument_get("mini", "es");
	assert_string_equal(in->lang, "es");
	assert_string_equal(in->q->language, "es");
	assert_string_equal(instrument_get("mini", "es-MX")->lang, "es");
	assert_string_equal(instrument_get("mini", "fr")->lang, "en");
	assert_null(instrument_get("nope", "es"));
	assert_null(instrument_get(NULL, NULL));

	in = instrument_by_url("https://cocare.org/fhir/Questionnaire/mini",
			       "es");
	assert_string_equal(in->lang, "es");
	in = instrument_by_url("https://cocare.org/fhir/Questionnaire/mini|1",
			       NULL);
	assert_string_equal(in->id, "mini");
	assert_null(instrument_by_url("https://cocare.org/fhir/Questionnaire/"
				      "mini|2", NULL));
	assert_null(instrument_by_url("https://example.org/nothing", NULL));
	list = instrument_list(&n);
	assert_non_null(instrument_match(instrument_get("mini", NULL)->q,
					 list, n));

	/* A translation must keep the codes, values and scoring. */
	bad = "{\"resourceType\":\"Questionnaire\",\"url\":\"https://cocare."
	      "org/fhir/Questionnaire/mini\",\"version\":\"1\",\"item\":[{"
	      "\"linkId\":\"m1\",\"type\":\"string\"}]}";
	assert_int_equal(instrument_add("mini.fr.json", bad, strlen(bad),
					&why), ERR_INVALID);
	assert_non_null(strstr(why, "mini.fr.json"));
	assert_int_equal(instrument_add("other.es.json", bad, strlen(bad),
					&why), ERR_INVALID);
	assert_non_null(strstr(why, "no English file"));
	assert_int_equal(instrument_add("Bad Name.json", bad, strlen(bad),
					&why), ERR_INVALID);
	assert_int_equal(instrument_add("mini2.json", bad, strlen(bad), &why),
			 ERR_INVALID);
	assert_non_null(strstr(why, "same url"));
	assert_int_equal(instrument_add("broken.json", "{", 1, &why),
			 ERR_INVALID);
	assert_non_null(strstr(why, "broken.json: not JSON"));
	assert_null(instrument_get("broken", NULL));
}

/*
 * tests/data/scoring-cases.json: expected results for the library's own
 * instruments, each case citing its source, run through the library as
 * the web pages do (form values, disabled items dropped, then scored).
 */
static void
test_library_cases(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	json_t *cases, *c, *v, *ev;
	json_error_t jerr;
	const char *key, *ekey;
	size_t i, j;

	cases = json_load_file("tests/data/scoring-cases.json", 0, &jerr);
	if (!cases)
		skip();
	json_array_foreach(cases, i, c) {
		json_t *jid = json_object_get(c, "instrument");
		const char *id = json_string_value(jid);
		const struct instrument *in = instrument_get(id, NULL);
		json_t *expect = json_object_get(c, "expect");
		struct problems ps = {0};
		struct score_report r;
		struct q_answers ans;

		if (!in)
			fail_msg("case %zu: no instrument '%s'", i, id);
		q_answers_init(&ans);
		json_object_foreach(json_object_get(c, "answers"), key, v)
			set(a, in->q, &ans, key, json_string_value(v));
		q_answers_check(a, in->q, &ans, false, &ps);
		score(a, in->q, &ans, &r);
		json_object_foreach(json_object_get(expect, "scores"), ekey,
				    ev) {
			const struct score_result *s = result(&r, ekey);

			if (json_is_null(ev) ? s->computed :
			    !s->computed ||
			    fabs(s->value - json_number_value(ev)) > 0.005)
				fail_msg("case %zu (%s, %s): %s = %s %.4f",
					 i, id, json_string_value(
						 json_object_get(c, "cite")),
					 ekey, s->computed ? "" : s->reason,
					 s->value);
		}
		json_object_foreach(json_object_get(expect, "bands"), ekey,
				    ev) {
			const struct score_result *s = result(&r, ekey);

			if (!s->band || strcmp(s->band->code,
					       json_string_value(ev)))
				fail_msg("case %zu (%s): band of %s", i, id,
					 ekey);
		}
		assert_int_equal(json_array_size(json_object_get(expect,
								 "flags")),
				 r.n_flags);
		json_array_foreach(json_object_get(expect, "flags"), j, ev)
			assert_string_equal(r.flags[j].flag->code,
					    json_string_value(ev));
	}
	json_decref(cases);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_reverse_prorate),
		cmocka_unit_test(test_bands_inclusive),
		cmocka_unit_test(test_mean_multiplier),
		cmocka_unit_test(test_weighted),
		cmocka_unit_test(test_top_box),
		cmocka_unit_test(test_reverse_numbers),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_phq9_published),
		cmocka_unit_test(test_gad7_published),
		cmocka_unit_test(test_adopt_lhcforms),
		cmocka_unit_test(test_adopt_stanford_gad7),
		cmocka_unit_test(test_adopt_sdc),
		cmocka_unit_test(test_adopt_refusals),
		cmocka_unit_test(test_adopt_external_list),
		cmocka_unit_test(test_adopt_out_of_memory),
		cmocka_unit_test(test_library_lookup),
		cmocka_unit_test(test_library_cases),
	};

	test_init();
	return cmocka_run_group_tests_name("measures_scoring", tests, NULL,
					   NULL);
}
