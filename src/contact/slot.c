/*
 * Appointment slots: checking and storing a pattern of slots,
 * withdrawing an open slot, and the lists the schedule and the booking
 * pages show (see slot.h).
 */
#include "contact/slot.h"

#include <string.h>

#include "core/id.h"
#include "core/msgid.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

#define DAY 86400
#define MIN 60

static const struct {
	const char *code;
	const char *label;
} modalities[SLOT__MAX] = {
#define SLOT_MODALITY_ROW(id, c, l) [SLOT_##id] = {c, l},
	SLOT_MODALITY_MAP(SLOT_MODALITY_ROW)
#undef SLOT_MODALITY_ROW
};

bool
slot_modality_parse(const char *code, enum slot_modality *out)
{
	int i;

	for (i = 0; code && i < SLOT__MAX; i++)
		if (!strcmp(code, modalities[i].code)) {
			*out = (enum slot_modality)i;
			return true;
		}
	return false;
}

const char *
slot_modality_code(enum slot_modality m)
{
	return (unsigned)m < SLOT__MAX ? modalities[m].code : "";
}

const char *
slot_modality_label(const char *code)
{
	enum slot_modality m = SLOT__MAX;

	return slot_modality_parse(code, &m) ? modalities[m].label : "";
}

static size_t
chars(const char *s)
{
	return s ? utf8_length(s, strlen(s)) : 0;
}

size_t
slot_pattern_count(const struct slot_pattern *p)
{
	if (p->length_min <= 0 || p->end_min <= p->start_min || p->weeks <= 0)
		return 0;
	return (size_t)((p->end_min - p->start_min) / p->length_min) *
	       (size_t)p->weeks;
}

void
slot_pattern_validate(const struct slot_pattern *p, struct problems *out)
{
	enum slot_modality m = SLOT__MAX;
	bool modality = slot_modality_parse(p->modality, &m);

	if (!modality)
		problems_add(out, "modality",
			     N_("Choose in person, by phone or by video "
				"link."));
	if (p->start_min < 0 || p->start_min >= 24 * 60)
		problems_add(out, "start",
			     N_("Enter a start time such as 09:00."));
	if (p->end_min <= p->start_min || p->end_min > 24 * 60)
		problems_add(out, "end",
			     N_("Enter an end time after the start time, on "
				"the same day."));
	if (p->length_min < 5 || p->length_min > 240)
		problems_add(out, "length",
			     N_("Enter a slot length from 5 to 240 minutes."));
	else if (p->end_min > p->start_min &&
		 p->end_min - p->start_min < p->length_min)
		problems_add(out, "end",
			     N_("The time from start to end is shorter than "
				"one slot."));
	if (p->weeks < 1 || p->weeks > 52)
		problems_add(out, "weeks",
			     N_("Enter how many weeks to repeat, from 1 to "
				"52."));
	else if (slot_pattern_count(p) > SLOT_PATTERN_MAX)
		problems_add(out, "weeks",
			     N_("That makes more than 400 slots. Add fewer "
				"weeks or longer slots."));
	if (p->first_day + (int64_t)p->start_min * MIN < p->now &&
	    p->start_min >= 0)
		problems_add(out, "day",
			     N_("Choose a day and time that have not passed "
				"yet."));
	if (chars(p->place) > SLOT_PLACE_MAX)
		problems_add(out, "place",
			     N_("Write the place in at most 200 characters."));
	if (modality && m == SLOT_IN_PERSON && !(p->place && *p->place))
		problems_add(out, "place",
			     N_("Say where the appointment takes place."));
	if (p->link && *p->link &&
	    (strncmp(p->link, "https://", 8) || chars(p->link) >
	     SLOT_LINK_MAX || strcspn(p->link, " \t\r\n\"<>") !=
	     strlen(p->link)))
		problems_add(out, "link",
			     N_("Enter a video link that starts with "
				"https:// (at most 500 characters)."));
	else if (modality && m == SLOT_VIDEO && !(p->link && *p->link))
		problems_add(out, "link",
			     N_("Enter the video link the patient will use."));
}

static const char sql_overlap[] =
	"SELECT 1 FROM appointment_slot WHERE professional_id = $1 "
	"AND status <> 'withdrawn' AND starts_at < $3 AND ends_at > $2 "
	"LIMIT 1";
static const char sql_insert[] =
	"INSERT INTO appointment_slot (id, org_id, unit_id, professional_id, "
	"starts_at, ends_at, modality, place, link, created_by) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

static enum err
overlaps(struct db *db, int64_t professional_id, int64_t from, int64_t to,
	 bool *out)
{
	struct stmt *st = db_prepare(db, sql_overlap);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, professional_id);
	stmt_bind_int(st, 2, from);
	stmt_bind_int(st, 3, to);
	*out = stmt_row(st);
	return stmt_done(st);
}

static enum err
insert(struct db *db, const struct slot_pattern *p, int64_t from, int64_t to)
{
	struct stmt *st = db_prepare(db, sql_insert);
	enum slot_modality m = SLOT__MAX;

	if (!st)
		return ERR_DB;
	slot_modality_parse(p->modality, &m);
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, p->org_id);
	stmt_bind_int(st, 3, p->unit_id);
	stmt_bind_int(st, 4, p->professional_id);
	stmt_bind_int(st, 5, from);
	stmt_bind_int(st, 6, to);
	stmt_bind_str(st, 7, p->modality);
	/* A place only in person, a link only by video. */
	stmt_bind_str(st, 8, m == SLOT_IN_PERSON ? p->place : "");
	stmt_bind_str(st, 9, m == SLOT_VIDEO ? p->link : "");
	stmt_bind_int(st, 10, p->created_by);
	return stmt_exec(st);
}

enum err
slot_pattern_add(struct db *db, void *arg)
{
	struct slot_pattern *p = arg;
	struct problems ps = {0};
	int w, k, per_day;
	bool taken;
	enum err e;

	p->added = p->overlapping = 0;
	slot_pattern_validate(p, &ps);
	if (ps.n)
		return ERR_INVALID;
	per_day = (p->end_min - p->start_min) / p->length_min;
	for (w = 0; w < p->weeks; w++)
		for (k = 0; k < per_day; k++) {
			int64_t from = p->first_day + (int64_t)w * 7 * DAY +
				       (int64_t)(p->start_min +
						 k * p->length_min) * MIN;
			int64_t to = from + (int64_t)p->length_min * MIN;

			if (from < p->now) {
				p->overlapping++;
				continue;
			}
			if ((e = overlaps(db, p->professional_id, from, to,
					  &taken)) != ERR_OK)
				return e;
			if (taken) {
				p->overlapping++;
				continue;
			}
			if ((e = insert(db, p, from, to)) != ERR_OK)
				return e;
			p->added++;
		}
	return p->added ? ERR_OK : ERR_INVALID;
}

enum err
slot_withdraw(struct db *db, void *arg)
{
	static const char sql_withdraw[] =
		"UPDATE appointment_slot SET status = 'withdrawn', "
		"version = version + 1 WHERE id = $1 AND org_id = $2 "
		"AND status = 'open'";
	const struct slot_withdraw *sw = arg;
	struct stmt *st;
	struct slot s;
	enum err e;

	if ((e = slot_get(db, NULL, sw->org_id, sw->slot_id, &s)) != ERR_OK)
		return e;
	if (sw->professional_id && s.professional_id != sw->professional_id)
		return ERR_FORBIDDEN;
	if (!(st = db_prepare(db, sql_withdraw)))
		return ERR_DB;
	stmt_bind_int(st, 1, sw->slot_id);
	stmt_bind_int(st, 2, sw->org_id);
	/* Not changed: no longer open. */
	e = stmt_exec_one(st);
	return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}

/* The columns every slot query reads, in read_slot's order. */
#define SLOT_COLS                                                         \
	"s.id, s.org_id, s.unit_id, s.professional_id, "                   \
	"COALESCE(pr.display_name, ''), s.starts_at, s.ends_at, "          \
	"s.modality, s.place, s.link, s.status, s.version"

static void
read_slot(struct stmt *st, struct arena *a, void *out)
{
	struct slot *s = out;

	memset(s, 0, sizeof(*s));
	s->id = stmt_int(st, 0);
	s->org_id = stmt_int(st, 1);
	s->unit_id = stmt_int(st, 2);
	s->professional_id = stmt_int(st, 3);
	s->starts_at = stmt_int(st, 5);
	s->ends_at = stmt_int(st, 6);
	s->version = (int)stmt_int(st, 11);
	if (!a)
		return;
	s->professional_name = stmt_text_dup(st, 4, a);
	s->modality = stmt_text_dup(st, 7, a);
	s->place = stmt_text_dup(st, 8, a);
	s->link = stmt_text_dup(st, 9, a);
	s->status = stmt_text_dup(st, 10, a);
}

static void
read_schedule_slot(struct stmt *st, struct arena *a, void *out)
{
	struct slot *s = out;

	read_slot(st, a, out);
	s->appointment_id = stmt_int(st, 12);
	s->patient_id = stmt_int(st, 13);
	s->patient_name = stmt_text_dup(st, 14, a);
	s->appointment_status = stmt_text_dup(st, 15, a);
}

/* With `a` NULL only the numbers are read (an existence check). */
enum err
slot_get(struct db *db, struct arena *a, int64_t org_id, int64_t id,
	 struct slot *out)
{
	static const char sql[] =
		"SELECT " SLOT_COLS " FROM appointment_slot s "
		"LEFT JOIN account pr ON pr.id = s.professional_id "
		"WHERE s.id = $1 AND s.org_id = $2";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, org_id);
	if (!a) {
		enum err e;
		bool found = stmt_row(st);

		if (found)
			read_slot(st, NULL, out);
		e = stmt_done(st);
		return e != ERR_OK ? e : found ? ERR_OK : ERR_NOT_FOUND;
	}
	return stmt_get(st, a, read_slot, out);
}

enum err
slot_list_schedule(struct db *db, struct arena *a, int64_t org_id,
		   int64_t professional_id, int64_t from, int64_t to,
		   size_t max, struct slot **out, size_t *count)
{
	/* The appointment of a booked slot: the one still booked on it, or
	 * the last one attended or missed (a cancelled one gave the slot
	 * back). */
	static const char sql[] =
		"SELECT " SLOT_COLS ", COALESCE(ap.id, 0), "
		"COALESCE(ap.patient_id, 0), "
		"COALESCE(pa.given_name || ' ' || pa.family_name, ''), "
		"COALESCE(ap.status, '') FROM appointment_slot s "
		"LEFT JOIN account pr ON pr.id = s.professional_id "
		"LEFT JOIN appointment ap ON ap.slot_id = s.id "
		"AND ap.status IN ('booked', 'attended', 'no_show') "
		"LEFT JOIN patient pa ON pa.id = ap.patient_id "
		"WHERE s.org_id = $1 AND (CAST($2 AS BIGINT) = 0 "
		"OR s.professional_id = $2) "
		"AND s.starts_at >= $3 AND s.starts_at < $4 "
		"AND s.status <> 'withdrawn' "
		"ORDER BY s.starts_at, pr.display_name, s.id LIMIT $5";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, professional_id);
	stmt_bind_int(st, 3, from);
	stmt_bind_int(st, 4, to);
	stmt_bind_int(st, 5, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_schedule_slot, out,
			 count);
}

/* A slot is the patient's to book when its professional is on their
 * care team or it belongs to their unit. */
#define FOR_PATIENT                                                       \
	"(s.professional_id IN (SELECT account_id FROM care_team_member "  \
	"WHERE patient_id = $1) OR (s.unit_id <> 0 AND s.unit_id = "       \
	"(SELECT unit_id FROM patient WHERE id = $1)))"

enum err
slot_list_for_patient(struct db *db, struct arena *a, int64_t patient_id,
		      int64_t from, int64_t to, size_t max, struct slot **out,
		      size_t *count)
{
	static const char sql[] =
		"SELECT " SLOT_COLS " FROM appointment_slot s "
		"LEFT JOIN account pr ON pr.id = s.professional_id "
		"WHERE s.org_id = (SELECT org_id FROM patient WHERE id = $1) "
		"AND s.status = 'open' AND s.starts_at >= $2 "
		"AND s.starts_at < $3 AND " FOR_PATIENT
		" ORDER BY s.starts_at, pr.display_name, s.id LIMIT $4";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, from);
	stmt_bind_int(st, 3, to);
	stmt_bind_int(st, 4, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_slot, out, count);
}

enum err
slot_is_for_patient(struct db *db, int64_t patient_id, const struct slot *s,
		    bool *out)
{
	static const char sql[] =
		"SELECT 1 FROM appointment_slot s WHERE s.id = $2 AND "
		FOR_PATIENT;
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, s->id);
	*out = stmt_row(st);
	return stmt_done(st);
}
