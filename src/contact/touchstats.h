/*
 * Touchpoint analytics, the pure part: the figures of a unit (or the
 * whole organisation) over a period, overall and split by one patient
 * group, built from counts and samples the caller adds (journey.c reads
 * them from the store; the unit tests add a hand-built fixture), then
 * finished: medians and 90th percentiles, shares, means, small-number
 * suppression and the warnings. No SQL, no HTTP.
 *
 * Methods (docs/contact.md says the same in plain words):
 * - median: the middle value of the sorted times, or the mean of the two
 *   middle values when there is an even number;
 * - 90th percentile: nearest rank, the value at rank ceil(0.9 n) of the
 *   sorted times (the smallest time that at least 90% are within);
 * - suppression: every count below TS_SMALL (0 included) is hidden; when
 *   a count in a line that adds up (a group's channels and its total, the
 *   groups and the overall figure) is the only one hidden, the smallest
 *   other count in that line is hidden too, repeated until no line has a
 *   single hidden count, so no hidden count can be found by subtracting
 *   shown ones from a shown total. A share is hidden when its part or
 *   what is left (base - part) is below TS_SMALL, and its part then
 *   counts as hidden in those lines; a median, percentile or mean is
 *   hidden when the count it is made of is hidden;
 * - warnings: a known group with at least TS_WARN_MIN patients whose
 *   digital uptake is under TS_UPTAKE_RATIO of the overall uptake, or
 *   with at least TS_WARN_MIN responses whose median time to first
 *   response is over TS_RESPONSE_RATIO of the overall median (both
 *   figures shown, not suppressed).
 */
#ifndef CONTACT_TOUCHSTATS_H
#define CONTACT_TOUCHSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;

#define TS_SMALL 5		/* counts below this are not shown */
#define TS_WARN_MIN 10		/* a warning needs this many in the group */
#define TS_UPTAKE_RATIO 0.8
#define TS_RESPONSE_RATIO 1.25
#define TS_GROUPS_MAX 32	/* more go into the "other" group */
#define TS_KEY_MAX 16
#define TS_ZONE_SPANS 7		/* offsets within one period (summer time) */
#define TS_PERIOD_DAYS_MAX 731	/* two years */

/* The patient group a report is split by. */
enum ts_split {
	TS_SPLIT_NONE,
	TS_SPLIT_AGE,
	TS_SPLIT_LANGUAGE,
	TS_SPLIT_INTERPRETER,
	TS_SPLIT_DISABILITY,
	TS_SPLIT_DIGITAL,
	TS_SPLIT_QUINTILE,
	TS_SPLIT_DECILE,
	TS_SPLIT__MAX
};

/* "age", "language", ...; "" for none. */
const char *ts_split_name(enum ts_split s);
/* An English label (a msgid): "Age band". */
const char *ts_split_label(enum ts_split s);
/* NULL or "" is TS_SPLIT_NONE; false for an unknown name. */
bool ts_split_parse(const char *s, enum ts_split *out);

/* Channels and kinds of request, in the order figures show them;
 * anything else is "other". */
enum ts_channel { TS_CH_WEB, TS_CH_PHONE, TS_CH_DESK, TS_CH_API,
		  TS_CH_OTHER, TS_CH__MAX };
enum ts_kind { TS_KIND_CONDITION, TS_KIND_NEW_PROBLEM, TS_KIND_PRESCRIPTION,
	       TS_KIND_ADMIN, TS_KIND_OTHER, TS_KIND__MAX };

enum ts_channel ts_channel_of(const char *s);
const char *ts_channel_name(enum ts_channel c);	/* "web" */
const char *ts_channel_label(enum ts_channel c);	/* msgid "Online" */
enum ts_kind ts_kind_of(const char *s);
const char *ts_kind_name(enum ts_kind k);
const char *ts_kind_label(enum ts_kind k);

/* A patient as the groups see them ("" or 0: not known). */
struct ts_person {
	int age;		/* whole years at the period's end; -1 */
	const char *language;
	bool interpreter;
	const char *disability;
	const char *digital;
	int decile;
};

/*
 * The group key of `p` for split `s` into `out` (TS_KEY_MAX bytes): an
 * age band "18-29", a language code, "yes"/"no", a disability or
 * digital-confidence code, a quintile "1".."5" or a decile "1".."10";
 * "" when not known; "all" when s is TS_SPLIT_NONE.
 */
void ts_group_key(enum ts_split s, const struct ts_person *p, char *out);

/* The same from the one raw column the store groups by for `s` (age in
 * years, language code, 0/1, code, decile). */
void ts_group_key_raw(enum ts_split s, const char *raw, char *out);

/* Where a key sorts among its split's groups ("not known" last). */
int ts_group_rank(enum ts_split s, const char *key);

/* An English label for an age band, interpreter, disability or digital
 * key (a msgid), or NULL when the key is shown as it is. */
const char *ts_group_label(enum ts_split s, const char *key);

/*
 * Hours of the day in local time (the process's time zone, summer time
 * included). The period [from, to) (Unix seconds) is cut where the
 * zone's offset changes: at most TS_ZONE_SPANS spans, each with its
 * offset in seconds east of UTC; false when there are more.
 */
struct ts_zone {
	size_t n;
	int64_t until[TS_ZONE_SPANS];	/* span i ends here (Unix s) */
	int32_t offset[TS_ZONE_SPANS];
};
bool ts_zone_spans(int64_t from, int64_t to, struct ts_zone *out);
/* The local hour (0-23) of Unix second `t`. */
int ts_local_hour(const struct ts_zone *z, int64_t t);

/* Every count a slice holds; times and their counts share an order. */
enum ts_n {
	TS_N_CONTACTS,
	TS_N_CH0,				/* + channel */
	TS_N_HOUR0 = TS_N_CH0 + TS_CH__MAX,	/* + local hour */
	TS_N_PATIENT_STARTED = TS_N_HOUR0 + 24,
	TS_N_STAFF_STARTED,
	TS_N_PATIENTS,		/* patients with any contact */
	TS_N_DIGITAL,		/* of whom started one online */
	TS_N_CONSULTS,		/* requests (red flags included) */
	TS_N_SLA_BASE,		/* answered, or past due unanswered */
	TS_N_SLA_MET,		/* answered by the due time */
	TS_N_APPOINTMENTS,	/* requests that ended in an appointment */
	TS_N_THREADS,		/* message threads patients started */
	TS_N_RATINGS,
	TS_N_TIMES0		/* + enum ts_t: how many times each has */
};

enum ts_t {
	TS_T_FIRST,				/* consultations: first response */
	TS_T_FIRST_CH0,
	TS_T_FIRST_KIND0 = TS_T_FIRST_CH0 + TS_CH__MAX,
	TS_T_RESOLVE = TS_T_FIRST_KIND0 + TS_KIND__MAX,
	TS_T_RESOLVE_CH0,
	TS_T_RESOLVE_KIND0 = TS_T_RESOLVE_CH0 + TS_CH__MAX,
	TS_T_REPLY = TS_T_RESOLVE_KIND0 + TS_KIND__MAX,	/* threads */
	TS_T_REPLY_CH0,
	TS_T__MAX = TS_T_REPLY_CH0 + TS_CH__MAX
};

#define TS_N__MAX (TS_N_TIMES0 + TS_T__MAX)

struct ts_count {
	int64_t n;
	bool hidden;
};

/* Times in seconds, shown only when their count is. */
struct ts_times {
	double median;
	double p90;
};

struct ts_share {
	double value;		/* 0..1 */
	bool hidden;		/* or no base */
};

struct ts_mean {
	double value;
	bool hidden;		/* or no ratings */
};

enum ts_warn_flags {
	TS_WARN_UPTAKE = (1 << 0),
	TS_WARN_RESPONSE = (1 << 1),
	TS_WARN_REPLY = (1 << 2),
};

struct ts_slice {
	char key[TS_KEY_MAX];		/* "all" for the overall slice */
	struct ts_count n[TS_N__MAX];
	struct ts_times t[TS_T__MAX];
	struct ts_share uptake;		/* DIGITAL / PATIENTS */
	struct ts_share patient_started;	/* / CONTACTS */
	struct ts_share sla;		/* SLA_MET / SLA_BASE */
	struct ts_share appointment;	/* APPOINTMENTS / CONSULTS */
	struct ts_mean ease;		/* 1-5 */
	struct ts_mean helped;		/* 1-5 */
	unsigned warn;			/* enum ts_warn_flags */
	/* Sums while adding. */
	int64_t ease_sum, helped_sum;
};

/* One consultation (see 004_contact.sql): times 0 until they happen. */
struct ts_consult {
	const char *channel;
	const char *kind;
	const char *status;
	const char *outcome;
	int64_t submitted_at;
	int64_t first_response_at;
	int64_t closed_at;
	int64_t due_at;
	bool appointment;	/* an appointment was booked from it */
	int ease;		/* 0: not rated */
	int helped;
};

/* One message thread. */
struct ts_thread {
	const char *channel;
	const char *started_side;	/* patient, staff */
	int64_t created_at;
	int64_t first_reply_at;
};

struct ts_sample;

struct ts_report {
	enum ts_split split;
	int64_t now;		/* unanswered requests past due miss the SLA */
	struct ts_slice all;
	struct ts_slice groups[TS_GROUPS_MAX];
	size_t ngroups;
	size_t order[TS_GROUPS_MAX];	/* groups in display order */
	bool overflow;		/* some groups went into "other" */
	/* Times while adding, owned by the arena. */
	struct arena *a;
	struct ts_sample *samples;
	size_t nsamples, cap;
	bool failed;		/* out of memory while adding */
};

void ts_report_init(struct ts_report *r, struct arena *a, enum ts_split s,
		    int64_t now);

/* The slice of group `key`, made on first use (NULL: out of room, never
 * after TS_GROUPS_MAX: the rest share "other"). */
struct ts_slice *ts_report_group(struct ts_report *r, const char *key);

/* Adds `count` touchpoints of group `key`. side: "patient" or "staff". */
void ts_add_touchpoints(struct ts_report *r, const char *key,
			const char *channel, const char *side, int hour,
			int64_t count);

/* The same for a group already found with ts_report_group() (NULL when
 * the report is not split), for a loop over a million rows. */
void ts_count_touchpoints(struct ts_report *r, struct ts_slice *g,
			  enum ts_channel ch, bool patient, int hour,
			  int64_t count);

/* Adds `patients` with any contact, `digital` of whom started one
 * online. */
void ts_add_patients(struct ts_report *r, const char *key, int64_t patients,
		     int64_t digital);

void ts_add_consult(struct ts_report *r, const char *key,
		    const struct ts_consult *c);
void ts_add_thread(struct ts_report *r, const char *key,
		   const struct ts_thread *t);

/* Times, shares, means, suppression, warnings and the order. ERR_NOMEM
 * when adding ran out of memory (the report is then incomplete). */
enum err ts_report_finish(struct ts_report *r);

/* Median and nearest-rank 90th percentile of `v` (sorted in place). */
struct ts_times ts_times_of(int64_t *v, size_t n);

#endif
