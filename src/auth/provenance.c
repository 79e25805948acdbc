/*
 * Reading the provenance records write.c keeps (see provenance.h), and
 * the table of which part of the record each kind of record belongs to.
 */
#include "auth/provenance.h"

#include <string.h>

#include "core/arena.h"
#include "store/store.h"
#include "core/banned.h"

#define SELECT_PROVENANCE                                                  \
	"SELECT p.id, p.org_id, p.at_ms, p.audit_seq, p.resource_type, "   \
	"p.resource_id, p.patient_id, p.author_id, p.voice, p.activity, "  \
	"COALESCE(a.role, ''), COALESCE(a.display_name, ''), "             \
	"COALESCE(a.patient_id, 0) FROM provenance p "                     \
	"LEFT JOIN account a ON a.id = p.author_id "
/* One patient's rows ($1), of one record ($2, $3) or all ($2 ''), in
 * [$4, $5). */
#define SEARCH_WHERE                                                       \
	"WHERE p.patient_id = $1 AND ($2 = '' OR (p.resource_type = $2 "   \
	"AND p.resource_id = $3)) AND p.at_ms >= $4 AND p.at_ms < $5 "

static const char sql_get[] = SELECT_PROVENANCE "WHERE p.id = $1";
/* Pages continue after the last row shown ($6, $7: time and id). */
static const char sql_search_desc[] = SELECT_PROVENANCE SEARCH_WHERE
	"AND (p.at_ms < $6 OR (p.at_ms = $6 AND p.id < $7)) "
	"ORDER BY p.at_ms DESC, p.id DESC LIMIT $8";
static const char sql_search_asc[] = SELECT_PROVENANCE SEARCH_WHERE
	"AND (p.at_ms > $6 OR (p.at_ms = $6 AND p.id > $7)) "
	"ORDER BY p.at_ms, p.id LIMIT $8";
static const char sql_count[] =
	"SELECT p.resource_type, p.activity, CASE WHEN p.resource_type = $6 "
	"THEN p.resource_id ELSE '' END AS rid, count(*) FROM provenance p "
	SEARCH_WHERE "GROUP BY p.resource_type, p.activity, rid";

/* Groups counted at most: more than any one patient's records. */
#define GROUPS_MAX 20000

static void
read_provenance(struct stmt *st, struct arena *a, void *out)
{
	struct provenance *p = out;

	p->id = stmt_int(st, 0);
	p->org_id = stmt_int(st, 1);
	p->at_ms = stmt_int(st, 2);
	p->audit_seq = stmt_int(st, 3);
	p->resource_type = stmt_text_dup(st, 4, a);
	p->resource_id = stmt_text_dup(st, 5, a);
	p->patient_id = stmt_int(st, 6);
	p->author_id = stmt_int(st, 7);
	p->voice = stmt_text_dup(st, 8, a);
	p->activity = stmt_text_dup(st, 9, a);
	p->author_role = stmt_text_dup(st, 10, a);
	p->author_name = stmt_text_dup(st, 11, a);
	p->author_patient_id = stmt_int(st, 12);
}

static void
bind_search(struct stmt *st, const struct provenance_query *q)
{
	bool one = q->resource_type && q->resource_type[0];

	stmt_bind_int(st, 1, q->patient_id);
	stmt_bind_str(st, 2, one ? q->resource_type : "");
	stmt_bind_str(st, 3, one && q->resource_id ? q->resource_id : "");
	stmt_bind_int(st, 4, q->from_ms);
	stmt_bind_int(st, 5, q->to_ms);
}

enum err
provenance_search(struct db *db, struct arena *a,
		  const struct provenance_query *q, struct provenance **out,
		  size_t *count)
{
	struct stmt *st = db_prepare(db, q->oldest_first ? sql_search_asc
							 : sql_search_desc);
	size_t max = q->limit > PROVENANCE_LIST_MAX ? PROVENANCE_LIST_MAX
						    : q->limit;

	*out = NULL;
	*count = 0;
	if (!st)
		return ERR_DB;
	bind_search(st, q);
	if (q->has_after) {
		stmt_bind_int(st, 6, q->after_ms);
		stmt_bind_int(st, 7, q->after_id);
	} else {
		stmt_bind_int(st, 6, q->oldest_first ? INT64_MIN : INT64_MAX);
		stmt_bind_int(st, 7, 0);
	}
	stmt_bind_int(st, 8, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_provenance, out,
			 count);
}

static void
read_group(struct stmt *st, struct arena *a, void *out)
{
	struct provenance_group *g = out;

	g->resource_type = stmt_text_dup(st, 0, a);
	g->activity = stmt_text_dup(st, 1, a);
	g->resource_id = stmt_text_dup(st, 2, a);
	g->n = stmt_int(st, 3);
}

enum err
provenance_count(struct db *db, struct arena *a,
		 const struct provenance_query *q, const char *per_record_type,
		 struct provenance_group **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_count);
	enum err e;

	*out = NULL;
	*count = 0;
	if (!st)
		return ERR_DB;
	bind_search(st, q);
	stmt_bind_str(st, 6, per_record_type ? per_record_type : "");
	e = stmt_list(st, a, sizeof(**out), GROUPS_MAX + 1, read_group, out,
		      count);
	/* A count that left groups out would be wrong: refuse instead. */
	if (e == ERR_OK && *count > GROUPS_MAX)
		return ERR_TOO_LARGE;
	return e;
}

enum err
provenance_get(struct db *db, struct arena *a, int64_t id,
	       struct provenance *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_provenance, out);
}

/*
 * Every record type that is written or read with a patient's id (the
 * *_RES names of the domain modules, and the types the pages audit),
 * with the part of the record it belongs to. The names are the domain
 * modules' (this layer cannot include their headers); the unit tests
 * check the table against them.
 */
static const struct {
	const char *type;
	enum resource res;
} record_parts[] = {
	{"Patient", RES_PROFILE},
	{"Identifier", RES_PROFILE},
	{"Account", RES_PROFILE},	/* a patient's own sign-in */
	{"Provenance", RES_PROFILE},
	{"CareTeam", RES_CARE_TEAM},
	{"Consent", RES_GRANTS},
	{"Grant", RES_GRANTS},		/* the demo's Consent */
	{"AuditEvent", RES_ACCESS_LOG},
	/* The care record. */
	{"WhatMatters", RES_CARE_RECORD},
	{"CrisisPlan", RES_CARE_RECORD},
	{"CarePlan", RES_CARE_RECORD},
	{"Goal", RES_CARE_RECORD},
	{"CarePlanActivity", RES_CARE_RECORD},
	{"CarePlanReview", RES_CARE_RECORD},
	{"CareComment", RES_CARE_RECORD},
	{"ReviewConversation", RES_CARE_RECORD},
	{"SharedDecision", RES_CARE_RECORD},
	/* A note withheld from the patient is RES_WITHHELD_NOTES: only
	 * the note itself says whether it is (care/note.h). */
	{"ProgressNote", RES_NOTES},
	{"NoteView", RES_NOTES},
	{"NoteAmendment", RES_NOTES},
	/* Questionnaires and readings. */
	{"Observation", RES_MEASURES},
	{"ReadingUpload", RES_MEASURES},
	{"QuestionnaireRequest", RES_MEASURES},
	{"QuestionnaireResponse", RES_MEASURES},
	{"MeasureTarget", RES_MEASURES},
	{"Flag", RES_MEASURES},
	{"VisitAgendaItem", RES_MEASURES},
	{"MeasuresDashboard", RES_MEASURES},
	/* Contact. */
	{"Message", RES_CONTACT},
	{"MessageRead", RES_CONTACT},
	{"MessageAttachment", RES_CONTACT},
	{"Consultation", RES_CONTACT},
	{"ConsultationRating", RES_CONTACT},
	{"Appointment", RES_CONTACT},
	{"Touchpoint", RES_CONTACT},
};

bool
provenance_resource(const char *resource_type, const char *activity,
		    enum resource *out)
{
	size_t i;

	if (activity && strcmp(activity, "break-glass") == 0) {
		*out = RES_ACCESS_LOG;
		return true;
	}
	for (i = 0; resource_type && i < sizeof(record_parts) /
						 sizeof(record_parts[0]);
	     i++) {
		if (strcmp(record_parts[i].type, resource_type) == 0) {
			*out = record_parts[i].res;
			return true;
		}
	}
	return false;
}
