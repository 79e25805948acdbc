/*
 * Touchpoint analytics, the pure part (see touchstats.h): adding counts
 * and times per group, then the figures, suppression and warnings.
 */
#include "contact/touchstats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/msgid.h"
#include "core/banned.h"

/* A time to first response, resolution or reply, in its group. */
struct ts_sample {
	int64_t first;		/* seconds; -1: not yet */
	int64_t resolve;
	unsigned short group;	/* index into groups; TS_GROUPS_MAX: none */
	bool thread;
	unsigned char ch;
	unsigned char kind;
};

static const struct {
	const char *name;
	const char *label;
} splits[TS_SPLIT__MAX] = {
	{"", N_("No split")},
	{"age", N_("Age band")},
	{"language", N_("Preferred language")},
	{"interpreter", N_("Needs an interpreter")},
	{"disability", N_("Disability")},
	{"digital", N_("Confidence with digital services")},
	{"deprivation_quintile", N_("Area deprivation quintile")},
	{"deprivation_decile", N_("Area deprivation decile")},
};

static const char *const channel_names[TS_CH__MAX] = {
	"web", "phone", "desk", "api", "other"};
static const char *const channel_labels[TS_CH__MAX] = {
	N_("Online"), N_("Phone"), N_("At the desk"), N_("Other software"),
	N_("Other")};
static const char *const kind_names[TS_KIND__MAX] = {
	"condition", "new_problem", "prescription", "admin", "other"};
static const char *const kind_labels[TS_KIND__MAX] = {
	N_("About my condition"), N_("A new problem"),
	N_("Prescription or fit note"), N_("Administrative"), N_("Other")};

/* Age bands: the lowest age of each, then its key and label. */
static const struct {
	int from;
	const char *key;
	const char *label;
} bands[] = {
	{0, "0-17", N_("Under 18")},	  {18, "18-29", N_("18 to 29")},
	{30, "30-44", N_("30 to 44")},	  {45, "45-64", N_("45 to 64")},
	{65, "65-74", N_("65 to 74")},	  {75, "75+", N_("75 and over")},
};
#define NBANDS (sizeof(bands) / sizeof(bands[0]))

const char *
ts_split_name(enum ts_split s)
{
	return (unsigned)s < TS_SPLIT__MAX ? splits[s].name : "";
}

const char *
ts_split_label(enum ts_split s)
{
	return (unsigned)s < TS_SPLIT__MAX ? splits[s].label : "";
}

bool
ts_split_parse(const char *s, enum ts_split *out)
{
	int i;

	for (i = 0; i < TS_SPLIT__MAX; i++)
		if (strcmp(s ? s : "", splits[i].name) == 0) {
			*out = (enum ts_split)i;
			return true;
		}
	return false;
}

enum ts_channel
ts_channel_of(const char *s)
{
	int i;

	/* Called for every touchpoint: the first letters differ. */
	for (i = 0; s && i < TS_CH_OTHER; i++)
		if (s[0] == channel_names[i][0] &&
		    strcmp(s, channel_names[i]) == 0)
			return (enum ts_channel)i;
	return TS_CH_OTHER;
}

const char *
ts_channel_name(enum ts_channel c)
{
	return channel_names[(unsigned)c < TS_CH__MAX ? c : TS_CH_OTHER];
}

const char *
ts_channel_label(enum ts_channel c)
{
	return channel_labels[(unsigned)c < TS_CH__MAX ? c : TS_CH_OTHER];
}

enum ts_kind
ts_kind_of(const char *s)
{
	int i;

	for (i = 0; s && i < TS_KIND_OTHER; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (enum ts_kind)i;
	return TS_KIND_OTHER;
}

const char *
ts_kind_name(enum ts_kind k)
{
	return kind_names[(unsigned)k < TS_KIND__MAX ? k : TS_KIND_OTHER];
}

const char *
ts_kind_label(enum ts_kind k)
{
	return kind_labels[(unsigned)k < TS_KIND__MAX ? k : TS_KIND_OTHER];
}

/* Copies a stored code as a key; codes longer than a key, or with bytes
 * other than [a-z0-9_+-], are not known. */
static void
copy_key(const char *s, char *out)
{
	size_t i, n = s ? strlen(s) : 0;

	out[0] = '\0';
	if (n >= TS_KEY_MAX)
		return;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-' || s[i] == '+'))
			return;
	memcpy(out, s, n + 1);
}

void
ts_group_key(enum ts_split s, const struct ts_person *p, char *out)
{
	size_t i;

	out[0] = '\0';
	switch (s) {
	case TS_SPLIT_NONE:
		memcpy(out, "all", 4);
		break;
	case TS_SPLIT_AGE:
		if (p->age < 0 || p->age > 150)
			break;
		for (i = NBANDS; i-- > 0;)
			if (p->age >= bands[i].from) {
				copy_key(bands[i].key, out);
				break;
			}
		break;
	case TS_SPLIT_LANGUAGE:
		copy_key(p->language, out);
		break;
	case TS_SPLIT_INTERPRETER:
		copy_key(p->interpreter ? "yes" : "no", out);
		break;
	case TS_SPLIT_DISABILITY:
		copy_key(p->disability, out);
		break;
	case TS_SPLIT_DIGITAL:
		copy_key(p->digital, out);
		break;
	case TS_SPLIT_QUINTILE:
		if (p->decile >= 1 && p->decile <= 10)
			snprintf(out, TS_KEY_MAX, "%d", (p->decile + 1) / 2);
		break;
	case TS_SPLIT_DECILE:
		if (p->decile >= 1 && p->decile <= 10)
			snprintf(out, TS_KEY_MAX, "%d", p->decile);
		break;
	default:
		break;
	}
}

/* A small non-negative decimal, or -1. */
static int
small_int(const char *s)
{
	int v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 10000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

void
ts_group_key_raw(enum ts_split s, const char *raw, char *out)
{
	struct ts_person p = {-1, "", false, "", "", 0};

	switch (s) {
	case TS_SPLIT_AGE:
		p.age = small_int(raw);
		break;
	case TS_SPLIT_LANGUAGE:
		p.language = raw;
		break;
	case TS_SPLIT_INTERPRETER:
		p.interpreter = small_int(raw) > 0;
		break;
	case TS_SPLIT_DISABILITY:
		p.disability = raw;
		break;
	case TS_SPLIT_DIGITAL:
		p.digital = raw;
		break;
	case TS_SPLIT_QUINTILE:
	case TS_SPLIT_DECILE:
		p.decile = small_int(raw);
		break;
	default:
		break;
	}
	ts_group_key(s, &p, out);
}

static int
rank_in(const char *const *list, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], key) == 0)
			return (int)i;
	return (int)n;
}

int
ts_group_rank(enum ts_split s, const char *key)
{
	static const char *const yes_no[] = {"yes", "no"};
	static const char *const disability[] = {"yes", "none", "prefer_not"};
	static const char *const digital[] = {"low", "some", "high"};
	size_t i;

	if (!*key)
		return 1000;	/* not known, last */
	if (strcmp(key, "other") == 0)
		return 999;
	switch (s) {
	case TS_SPLIT_AGE:
		for (i = 0; i < NBANDS; i++)
			if (strcmp(bands[i].key, key) == 0)
				return (int)i;
		return 998;
	case TS_SPLIT_INTERPRETER:
		return rank_in(yes_no, 2, key);
	case TS_SPLIT_DISABILITY:
		return rank_in(disability, 3, key);
	case TS_SPLIT_DIGITAL:
		return rank_in(digital, 3, key);
	case TS_SPLIT_QUINTILE:
	case TS_SPLIT_DECILE:
		return small_int(key);
	default:
		return 0;	/* languages: by code, see compare_groups */
	}
}

const char *
ts_group_label(enum ts_split s, const char *key)
{
	size_t i;

	if (!*key)
		return N_("Not known");
	if (strcmp(key, "other") == 0)
		return N_("Other");
	switch (s) {
	case TS_SPLIT_NONE:
		return N_("Everyone");
	case TS_SPLIT_AGE:
		for (i = 0; i < NBANDS; i++)
			if (strcmp(bands[i].key, key) == 0)
				return bands[i].label;
		return NULL;
	case TS_SPLIT_INTERPRETER:
		return strcmp(key, "yes") == 0 ? N_("Needs an interpreter")
					       : N_("No interpreter");
	case TS_SPLIT_DISABILITY:
		if (strcmp(key, "yes") == 0)
			return N_("Has a disability");
		if (strcmp(key, "none") == 0)
			return N_("No disability");
		if (strcmp(key, "prefer_not") == 0)
			return N_("Prefers not to say");
		return NULL;
	case TS_SPLIT_DIGITAL:
		if (strcmp(key, "low") == 0)
			return N_("Low digital confidence");
		if (strcmp(key, "some") == 0)
			return N_("Some digital confidence");
		if (strcmp(key, "high") == 0)
			return N_("High digital confidence");
		return NULL;
	default:
		return NULL;
	}
}

/* --- local time --------------------------------------------------------- */

static bool
offset_at(int64_t t, int32_t *out)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return false;
	*out = (int32_t)tm.tm_gmtoff;
	return true;
}

bool
ts_zone_spans(int64_t from, int64_t to, struct ts_zone *z)
{
	int32_t cur, off;
	int64_t t, lo, hi;

	memset(z, 0, sizeof(*z));
	if (to <= from || !offset_at(from, &cur))
		return false;
	/* Offsets change at most a few times a year and never twice within
	 * a day: look each day, then narrow down to the second. */
	for (t = from;; t += 86400) {
		int64_t next = t + 86400 < to ? t + 86400 : to;

		if (!offset_at(next - 1, &off))
			return false;
		if (off != cur) {
			lo = t;
			hi = next - 1;	/* offset at lo is cur, at hi is off */
			while (hi - lo > 1) {
				int64_t mid = lo + (hi - lo) / 2;
				int32_t m;

				if (!offset_at(mid, &m))
					return false;
				if (m == cur)
					lo = mid;
				else
					hi = mid;
			}
			if (z->n + 1 >= TS_ZONE_SPANS)
				return false;
			z->until[z->n] = hi;
			z->offset[z->n++] = cur;
			cur = off;
		}
		if (next >= to)
			break;
	}
	z->until[z->n] = to;
	z->offset[z->n++] = cur;
	return true;
}

int
ts_local_hour(const struct ts_zone *z, int64_t t)
{
	size_t i;
	int64_t local;

	for (i = 0; i + 1 < z->n && t >= z->until[i]; i++)
		;
	local = t + (z->n ? z->offset[i] : 0);
	return (int)(((local % 86400) + 86400) % 86400 / 3600);
}

/* --- adding ------------------------------------------------------------- */

void
ts_report_init(struct ts_report *r, struct arena *a, enum ts_split s,
	       int64_t now)
{
	memset(r, 0, sizeof(*r));
	r->a = a;
	r->split = s;
	r->now = now;
	memcpy(r->all.key, "all", 4);
}

struct ts_slice *
ts_report_group(struct ts_report *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i].key, key) == 0)
			return &r->groups[i];
	if (r->ngroups + 1 >= TS_GROUPS_MAX) {
		/* The last place is kept for everyone beyond. */
		r->overflow = true;
		if (strcmp(key, "other") != 0)
			return ts_report_group(r, "other");
	}
	if (r->ngroups >= TS_GROUPS_MAX)
		return NULL;
	i = r->ngroups++;
	memset(&r->groups[i], 0, sizeof(r->groups[i]));
	copy_key(key, r->groups[i].key);
	return &r->groups[i];
}

/* Both the overall slice and the group's (when split). */
static size_t
targets(struct ts_report *r, const char *key, struct ts_slice *out[2])
{
	struct ts_slice *g;

	out[0] = &r->all;
	if (r->split == TS_SPLIT_NONE || !(g = ts_report_group(r, key)))
		return 1;
	out[1] = g;
	return 2;
}

static void
count_into(struct ts_slice *s, enum ts_channel ch, bool patient, int hour,
	   int64_t count)
{
	s->n[TS_N_CONTACTS].n += count;
	s->n[TS_N_CH0 + ((unsigned)ch < TS_CH__MAX ? ch : TS_CH_OTHER)].n +=
		count;
	if (hour >= 0 && hour < 24)
		s->n[TS_N_HOUR0 + hour].n += count;
	s->n[patient ? TS_N_PATIENT_STARTED : TS_N_STAFF_STARTED].n += count;
}

void
ts_count_touchpoints(struct ts_report *r, struct ts_slice *g,
		     enum ts_channel ch, bool patient, int hour, int64_t count)
{
	count_into(&r->all, ch, patient, hour, count);
	if (g && r->split != TS_SPLIT_NONE)
		count_into(g, ch, patient, hour, count);
}

void
ts_add_touchpoints(struct ts_report *r, const char *key, const char *channel,
		   const char *side, int hour, int64_t count)
{
	struct ts_slice *s[2];

	ts_count_touchpoints(r, targets(r, key, s) == 2 ? s[1] : NULL,
			     ts_channel_of(channel),
			     side && strcmp(side, "patient") == 0, hour, count);
}

void
ts_add_patients(struct ts_report *r, const char *key, int64_t patients,
		int64_t digital)
{
	struct ts_slice *s[2];
	size_t i, n = targets(r, key, s);

	for (i = 0; i < n; i++) {
		s[i]->n[TS_N_PATIENTS].n += patients;
		s[i]->n[TS_N_DIGITAL].n += digital;
	}
}

static struct ts_sample *
new_sample(struct ts_report *r, const char *key)
{
	struct ts_slice *s[2];
	struct ts_sample *x;

	if (r->nsamples == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct ts_sample *p = arena_alloc_uninit(r->a,
							 cap * sizeof(*p));

		if (!p) {
			r->failed = true;
			return NULL;
		}
		if (r->nsamples)
			memcpy(p, r->samples, r->nsamples * sizeof(*p));
		r->samples = p;
		r->cap = cap;
	}
	x = &r->samples[r->nsamples++];
	memset(x, 0, sizeof(*x));
	x->group = targets(r, key, s) == 2
			   ? (unsigned short)(s[1] - r->groups)
			   : TS_GROUPS_MAX;
	return x;
}

void
ts_add_consult(struct ts_report *r, const char *key,
	       const struct ts_consult *c)
{
	struct ts_slice *s[2];
	size_t i, n;
	struct ts_sample *x;
	bool red = c->status && strcmp(c->status, "red_flag") == 0;
	int in_sla = -1;	/* not counted */

	if (!red && c->due_at > 0) {
		if (c->first_response_at > 0)
			in_sla = c->first_response_at <= c->due_at;
		else if (r->now > c->due_at)
			in_sla = 0;
	}
	n = targets(r, key, s);
	for (i = 0; i < n; i++) {
		s[i]->n[TS_N_CONSULTS].n++;
		if (in_sla >= 0) {
			s[i]->n[TS_N_SLA_BASE].n++;
			s[i]->n[TS_N_SLA_MET].n += in_sla;
		}
		if (c->appointment ||
		    (c->outcome && strcmp(c->outcome, "appointment") == 0))
			s[i]->n[TS_N_APPOINTMENTS].n++;
		if (c->ease > 0 && c->helped > 0) {
			s[i]->n[TS_N_RATINGS].n++;
			s[i]->ease_sum += c->ease;
			s[i]->helped_sum += c->helped;
		}
	}
	/* A red flag stopped the form: nobody was meant to answer it. */
	if (red || !(x = new_sample(r, key)))
		return;
	x->ch = (unsigned char)ts_channel_of(c->channel);
	x->kind = (unsigned char)ts_kind_of(c->kind);
	x->first = c->first_response_at > 0 &&
				   c->first_response_at >= c->submitted_at
			   ? c->first_response_at - c->submitted_at
			   : -1;
	x->resolve = c->closed_at > 0 && c->closed_at >= c->submitted_at
			     ? c->closed_at - c->submitted_at
			     : -1;
}

void
ts_add_thread(struct ts_report *r, const char *key, const struct ts_thread *t)
{
	struct ts_slice *s[2];
	struct ts_sample *x;
	size_t i, n;

	/* Only the patient's threads wait for a first response. */
	if (!t->started_side || strcmp(t->started_side, "patient") != 0)
		return;
	n = targets(r, key, s);
	for (i = 0; i < n; i++)
		s[i]->n[TS_N_THREADS].n++;
	if (!(x = new_sample(r, key)))
		return;
	x->thread = true;
	x->ch = (unsigned char)ts_channel_of(t->channel);
	x->first = t->first_reply_at > 0 && t->first_reply_at >= t->created_at
			   ? t->first_reply_at - t->created_at
			   : -1;
	x->resolve = -1;
}

/* --- finishing ---------------------------------------------------------- */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Median and nearest-rank P90 of `v`, already in increasing order. */
static struct ts_times
times_sorted(const int64_t *v, size_t n)
{
	struct ts_times t = {0, 0};

	if (n == 0)
		return t;
	t.median = n % 2 ? (double)v[n / 2]
			 : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
	/* Nearest rank: ceil(0.9 n), 1-based. */
	t.p90 = (double)v[(9 * n + 9) / 10 - 1];
	return t;
}

struct ts_times
ts_times_of(int64_t *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_i64);
	return times_sorted(v, n);
}

/* The value sample `x` gives time figure `t`, or -1 when none. */
static int64_t
time_value(const struct ts_sample *x, int t)
{
	if (t >= TS_T_REPLY) {
		if (!x->thread || (t > TS_T_REPLY && x->ch != t - TS_T_REPLY_CH0))
			return -1;
		return x->first;
	}
	if (x->thread)
		return -1;
	if (t >= TS_T_RESOLVE) {
		if (t >= TS_T_RESOLVE_KIND0 && x->kind != t - TS_T_RESOLVE_KIND0)
			return -1;
		if (t >= TS_T_RESOLVE_CH0 && t < TS_T_RESOLVE_KIND0 &&
		    x->ch != t - TS_T_RESOLVE_CH0)
			return -1;
		return x->resolve;
	}
	if (t >= TS_T_FIRST_KIND0 && x->kind != t - TS_T_FIRST_KIND0)
		return -1;
	if (t >= TS_T_FIRST_CH0 && t < TS_T_FIRST_KIND0 &&
	    x->ch != t - TS_T_FIRST_CH0)
		return -1;
	return x->first;
}

/* A time of one family (first response, resolution or first reply) and
 * the sample it came from. */
struct timed {
	int64_t v;
	size_t i;
};

static int
cmp_timed(const void *a, const void *b)
{
	int64_t x = ((const struct timed *)a)->v, y = ((const struct timed *)b)->v;

	return (x > y) - (x < y);
}

/* The family of time figures: [first, end). */
static const struct {
	int first, end;
} families[] = {
	{TS_T_FIRST, TS_T_RESOLVE},
	{TS_T_RESOLVE, TS_T_REPLY},
	{TS_T_REPLY, TS_T__MAX},
};

/*
 * The figures of family `f` of slice `s` from its times `x`, in
 * increasing order: each figure keeps the times that belong to it, in
 * the same order, so nothing is sorted again.
 */
static void
slice_times(struct ts_report *r, struct ts_slice *s, int f,
	    const struct timed *x, size_t n, int64_t *tmp)
{
	size_t i, k;
	int t;

	for (t = families[f].first; t < families[f].end; t++) {
		for (i = k = 0; i < n; i++)
			if (time_value(&r->samples[x[i].i], t) >= 0)
				tmp[k++] = x[i].v;
		s->n[TS_N_TIMES0 + t].n = (int64_t)k;
		s->t[t] = times_sorted(tmp, k);
	}
}

/*
 * Every time figure: for each family, its times sorted once, then split
 * by group keeping that order (a counting sort).
 */
static enum err
all_times(struct ts_report *r)
{
	size_t n = r->nsamples + 1, start[TS_GROUPS_MAX + 1], i, k, g;
	struct timed *x = arena_alloc_uninit(r->a, n * sizeof(*x));
	struct timed *y = arena_alloc_uninit(r->a, n * sizeof(*y));
	int64_t *tmp = arena_alloc_uninit(r->a, n * sizeof(*tmp));
	int f;

	if (!x || !y || !tmp)
		return ERR_NOMEM;
	for (f = 0; f < 3; f++) {
		for (i = k = 0; i < r->nsamples; i++) {
			int64_t v = time_value(&r->samples[i], families[f].first);

			/* Split reports give every sample a group. */
			if (v >= 0 && (!r->ngroups ||
				       r->samples[i].group < r->ngroups)) {
				x[k].v = v;
				x[k++].i = i;
			}
		}
		qsort(x, k, sizeof(*x), cmp_timed);
		slice_times(r, &r->all, f, x, k, tmp);
		if (!r->ngroups)
			continue;
		memset(start, 0, sizeof(start));
		for (i = 0; i < k; i++)
			start[r->samples[x[i].i].group + 1]++;
		for (g = 0; g < r->ngroups; g++)
			start[g + 1] += start[g];
		for (i = 0; i < k; i++)
			y[start[r->samples[x[i].i].group]++] = x[i];
		/* start[g] is now where group g ends. */
		for (g = 0; g < r->ngroups; g++) {
			size_t from = g ? start[g - 1] : 0;

			slice_times(r, &r->groups[g], f, y + from,
				    start[g] - from, tmp);
		}
	}
	return ERR_OK;
}

static bool
hide(struct ts_count *c)
{
	if (c->hidden)
		return false;
	c->hidden = true;
	return true;
}

/*
 * One line of counts that add up (the total among them): when exactly
 * one is hidden, hides the smallest shown one too. True when it did.
 */
static bool
line_fix(struct ts_count **c, size_t n)
{
	size_t i, hidden = 0, pick = n;

	for (i = 0; i < n; i++)
		hidden += c[i]->hidden;
	if (hidden != 1)
		return false;
	for (i = 0; i < n; i++)
		if (!c[i]->hidden && (pick == n || c[i]->n < c[pick]->n))
			pick = i;
	return pick < n && hide(c[pick]);
}

/* A line of one slice: `first`..`first + n - 1` and the total. */
static bool
row_fix(struct ts_slice *s, int first, size_t n, int total)
{
	struct ts_count *c[32];
	size_t i;

	for (i = 0; i < n; i++)
		c[i] = &s->n[first + i];
	c[n] = &s->n[total];
	return line_fix(c, n + 1);
}

/* A share's part is hidden when it, the base or the rest is small. */
static bool
share_fix(struct ts_slice *s, int part, int base)
{
	int64_t rest = s->n[base].n - s->n[part].n;

	if (s->n[base].hidden || rest < TS_SMALL)
		return hide(&s->n[part]);
	return false;
}

static bool
slice_fix(struct ts_slice *s)
{
	bool changed = false;

	changed |= row_fix(s, TS_N_CH0, TS_CH__MAX, TS_N_CONTACTS);
	changed |= row_fix(s, TS_N_HOUR0, 24, TS_N_CONTACTS);
	changed |= row_fix(s, TS_N_PATIENT_STARTED, 2, TS_N_CONTACTS);
	changed |= share_fix(s, TS_N_DIGITAL, TS_N_PATIENTS);
	changed |= share_fix(s, TS_N_SLA_MET, TS_N_SLA_BASE);
	changed |= share_fix(s, TS_N_APPOINTMENTS, TS_N_CONSULTS);
	changed |= row_fix(s, TS_N_TIMES0 + TS_T_FIRST_CH0, TS_CH__MAX,
			   TS_N_TIMES0 + TS_T_FIRST);
	changed |= row_fix(s, TS_N_TIMES0 + TS_T_FIRST_KIND0, TS_KIND__MAX,
			   TS_N_TIMES0 + TS_T_FIRST);
	changed |= row_fix(s, TS_N_TIMES0 + TS_T_RESOLVE_CH0, TS_CH__MAX,
			   TS_N_TIMES0 + TS_T_RESOLVE);
	changed |= row_fix(s, TS_N_TIMES0 + TS_T_RESOLVE_KIND0, TS_KIND__MAX,
			   TS_N_TIMES0 + TS_T_RESOLVE);
	changed |= row_fix(s, TS_N_TIMES0 + TS_T_REPLY_CH0, TS_CH__MAX,
			   TS_N_TIMES0 + TS_T_REPLY);
	return changed;
}

static void
suppress(struct ts_report *r)
{
	struct ts_count *c[TS_GROUPS_MAX + 1];
	bool changed;
	size_t g;
	int k;

	for (k = 0; k < TS_N__MAX; k++) {
		r->all.n[k].hidden = r->all.n[k].n < TS_SMALL;
		for (g = 0; g < r->ngroups; g++)
			r->groups[g].n[k].hidden =
				r->groups[g].n[k].n < TS_SMALL;
	}
	do {
		changed = slice_fix(&r->all);
		for (g = 0; g < r->ngroups; g++)
			changed |= slice_fix(&r->groups[g]);
		if (r->split == TS_SPLIT_NONE)
			continue;
		/* The groups of each figure add up to the overall one. */
		for (k = 0; k < TS_N__MAX; k++) {
			for (g = 0; g < r->ngroups; g++)
				c[g] = &r->groups[g].n[k];
			c[g] = &r->all.n[k];
			changed |= line_fix(c, g + 1);
		}
	} while (changed);
}

static struct ts_share
share_of(const struct ts_slice *s, int part, int base)
{
	struct ts_share v = {0, true};

	if (!s->n[part].hidden && !s->n[base].hidden && s->n[base].n > 0) {
		v.value = (double)s->n[part].n / (double)s->n[base].n;
		v.hidden = false;
	}
	return v;
}

static struct ts_mean
mean_of(const struct ts_slice *s, int64_t sum)
{
	struct ts_mean m = {0, true};

	if (!s->n[TS_N_RATINGS].hidden && s->n[TS_N_RATINGS].n > 0) {
		m.value = (double)sum / (double)s->n[TS_N_RATINGS].n;
		m.hidden = false;
	}
	return m;
}

static void
slice_values(struct ts_slice *s)
{
	s->uptake = share_of(s, TS_N_DIGITAL, TS_N_PATIENTS);
	s->sla = share_of(s, TS_N_SLA_MET, TS_N_SLA_BASE);
	s->appointment = share_of(s, TS_N_APPOINTMENTS, TS_N_CONSULTS);
	s->patient_started = share_of(s, TS_N_PATIENT_STARTED, TS_N_CONTACTS);
	s->ease = mean_of(s, s->ease_sum);
	s->helped = mean_of(s, s->helped_sum);
}

/* A median shown for both, the group's with enough behind it. */
static bool
slower(const struct ts_slice *g, const struct ts_slice *all, int t)
{
	const struct ts_count *n = &g->n[TS_N_TIMES0 + t];

	return !n->hidden && n->n >= TS_WARN_MIN &&
	       !all->n[TS_N_TIMES0 + t].hidden && all->t[t].median > 0 &&
	       g->t[t].median > TS_RESPONSE_RATIO * all->t[t].median;
}

static void
warnings(struct ts_report *r)
{
	size_t i;

	for (i = 0; i < r->ngroups; i++) {
		struct ts_slice *g = &r->groups[i];

		g->warn = 0;
		if (!g->key[0] || strcmp(g->key, "other") == 0)
			continue;	/* not a group of patients */
		if (!g->uptake.hidden && !r->all.uptake.hidden &&
		    g->n[TS_N_PATIENTS].n >= TS_WARN_MIN &&
		    g->uptake.value < TS_UPTAKE_RATIO * r->all.uptake.value)
			g->warn |= TS_WARN_UPTAKE;
		if (slower(g, &r->all, TS_T_FIRST))
			g->warn |= TS_WARN_RESPONSE;
		if (slower(g, &r->all, TS_T_REPLY))
			g->warn |= TS_WARN_REPLY;
	}
}

/* Whether group key `x` comes before `y` on the page. */
static bool
before(enum ts_split s, const char *x, const char *y)
{
	int rx = ts_group_rank(s, x), ry = ts_group_rank(s, y);

	return rx != ry ? rx < ry : strcmp(x, y) < 0;
}

/* At most TS_GROUPS_MAX groups: an insertion sort (qsort has no
 * argument for the split). */
static void
order_groups(struct ts_report *r)
{
	size_t i, j;

	for (i = 0; i < r->ngroups; i++) {
		size_t g = i;

		for (j = i; j > 0 && before(r->split, r->groups[g].key,
					    r->groups[r->order[j - 1]].key);
		     j--)
			r->order[j] = r->order[j - 1];
		r->order[j] = g;
	}
}

enum err
ts_report_finish(struct ts_report *r)
{
	size_t g;
	enum err e;

	if (r->failed)
		return ERR_NOMEM;
	if ((e = all_times(r)) != ERR_OK)
		return e;
	suppress(r);
	slice_values(&r->all);
	for (g = 0; g < r->ngroups; g++)
		slice_values(&r->groups[g]);
	warnings(r);
	order_groups(r);
	return ERR_OK;
}
