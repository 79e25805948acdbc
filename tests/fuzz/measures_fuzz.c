/*
 * libFuzzer harness: what measures read from outside: a Questionnaire
 * file (and, when it parses, a QuestionnaireResponse read against it,
 * scored, checked and written back, which must read again), a readings
 * CSV file fed in two chunks, a typed reading with its unit, and the
 * thinning of a series (which must keep its first and last point). The
 * first input byte picks which; the rest is split in two at the first
 * NUL byte where two texts are needed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/problem.h"
#include "measures/downsample.h"
#include "measures/questionnaire.h"
#include "measures/reading.h"
#include "measures/readings_csv.h"
#include "measures/scoring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_questionnaire(struct arena *a, const char *qtext, const char *rtext)
{
	struct questionnaire *q;
	struct q_answers ans, again;
	struct score_report rep;
	struct problems ps = {0};
	struct q_response_info info = {0};
	const char *why;
	char *json;
	size_t i;

	if (q_parse(a, qtext, strlen(qtext), &q, &why) != ERR_OK)
		return;
	q_answers_init(&ans);
	for (i = 0; i < q->n_all; i++)
		q_item_enabled(q, &ans, q->all[i]);
	if (q_answers_from_response(a, q, rtext, strlen(rtext), &ans, &why) !=
	    ERR_OK)
		return;
	q_answers_check(a, q, &ans, true, &ps);
	score_response(a, q, &ans, &rep);
	if (q_answers_to_json(a, q, &ans, &info, &json) != ERR_OK)
		return;
	/* What cocare writes, it reads back with the same answers. */
	if (q_answers_from_response(a, q, json, strlen(json), &again, &why) !=
		    ERR_OK ||
	    again.n != ans.n)
		abort();
}

static enum err
on_row(void *ud, const struct readings_csv_row *r)
{
	(void)ud;
	if (!reading_check(&r->value, &(const char *){NULL}))
		abort();	/* a row handed over is a possible reading */
	return ERR_OK;
}

static enum err
on_problem(void *ud, const struct readings_csv_problem *p)
{
	(void)ud;
	(void)p;
	return ERR_OK;
}

static void
check_csv(struct arena *a, const char *s, size_t n)
{
	struct readings_csv_opts o = {0};
	struct readings_csv_totals t;
	struct readings_csv *p;

	o.now = 1800000000;
	o.on_row = on_row;
	o.on_problem = on_problem;
	if (!(p = readings_csv_new(a, &o)))
		return;
	if (readings_csv_feed(p, s, n / 2) == ERR_OK &&
	    readings_csv_feed(p, s + n / 2, n - n / 2) == ERR_OK)
		readings_csv_finish(p, &t);
}

static void
check_downsample(const uint8_t *d, size_t n)
{
	struct ts_point pts[512];
	size_t idx[512], k, i, m = n / 2 < 512 ? n / 2 : 512;

	if (m < 1)
		return;
	for (i = 0; i < m; i++) {
		pts[i].t = (int64_t)i * 60 + (d[2 * i] % 3 == 0 ? 0 : 1);
		pts[i].y = (double)(int8_t)d[2 * i + 1];
	}
	k = downsample_lttb(pts, m, d[0] % 64, idx);
	if (!k || idx[0] != 0 || idx[k - 1] != m - 1)
		abort();
	for (i = 1; i < k; i++)
		if (idx[i] <= idx[i - 1])
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reading_value v;
	struct arena *a;
	char *text, *second;
	const char *why;

	if (size < 1)
		return 0;
	a = arena_new(32 << 20);
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	second = text + strlen(text);
	second += second < text + size - 1 ? 1 : 0;
	switch (data[0] % 4) {
	case 0:
		check_questionnaire(a, text, second);
		break;
	case 1:
		check_csv(a, (const char *)data + 1, size - 1);
		break;
	case 2:
		reading_parse((enum reading_kind)(data[0] / 4 % READING__MAX),
			      str_c(text), str_c(second), &v, &why);
		break;
	default:
		check_downsample(data + 1, size - 1);
		break;
	}
	free(text);
	arena_free(a);
	return 0;
}
