/*
 * Patient: the patient record (people/patient.h) as a FHIR Patient.
 * Communication and accessibility needs, and the patient groups of the
 * touchpoint analytics, are free text or local codes with no place in
 * the base resource: they go out as cocare extensions (docs/fhir.md).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/actor.h"
#include "auth/write.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/str.h"
#include "fhir/datetime.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "fhir/shape.h"
#include "people/patient.h"
#include "core/banned.h"

#define ID_SYSTEM "https://cocare.org/fhir/identifier/"
#define EXT "https://cocare.org/fhir/StructureDefinition/"
#define EXT_INTERPRETER \
	"http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"

const struct fhir_search_param fhir_patient_params[] = {
	{"_id", "token", "The patient's id."},
	{"identifier", "token",
	 "A national or hospital number: <system>|<value> or <value>."},
	{"name", "string",
	 "A word of the given or family name starts with this (case and "
	 "accents do not matter)."},
	{"gender", "token", "female, male, other or unknown."},
	{"birthdate", "date",
	 "The date of birth, with the prefixes eq, ge, gt, le and lt."},
	{NULL, NULL, NULL},
};

static const char *const identifier_systems[] = {"national", "mrn"};

json_t *
fhir_patient_json(const struct patient *p)
{
	char id[24], ver[24], updated[FHIR_INSTANT_LEN];
	json_t *r, *ids = json_array(), *given = json_array(), *ext;
	size_t i;

	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	/* The version the edit form checks, as FHIR's versionId. */
	snprintf(ver, sizeof(ver), "%lld", (long long)p->version);
	fhir_instant_format(p->updated_at * 1000, updated);
	for (i = 0; i < p->nids; i++)
		json_array_append_new(
			ids, json_pack("{s:s+,s:s}", "system", ID_SYSTEM,
				       p->ids[i].system, "value",
				       p->ids[i].value));
	if (p->given_name[0])
		json_array_append_new(given, json_string(p->given_name));
	ext = json_pack("[{s:s,s:b}]", "url", EXT_INTERPRETER, "valueBoolean",
			p->interpreter_needed);
	if (p->communication_needs[0])
		json_array_append_new(
			ext, json_pack("{s:s,s:s}", "url",
				       EXT "communication-needs", "valueString",
				       p->communication_needs));
	if (p->accessibility_needs[0])
		json_array_append_new(
			ext, json_pack("{s:s,s:s}", "url",
				       EXT "accessibility-needs", "valueString",
				       p->accessibility_needs));
	r = json_pack("{s:s,s:s,s:{s:s,s:s},s:o,s:o,s:[{s:s,s:s,s:o}],s:s}",
		      "resourceType", "Patient", "id", id, "meta", "versionId",
		      ver, "lastUpdated", updated, "extension", ext,
		      "identifier", ids, "name", "use", "usual", "family",
		      p->family_name, "given", given, "gender",
		      p->gender[0] ? p->gender : "unknown");
	if (p->birth_date[0])
		json_object_set_new(r, "birthDate",
				    json_string(p->birth_date));
	if (p->preferred_language[0])
		json_object_set_new(
			r, "communication",
			json_pack("[{s:{s:[{s:s,s:s}]},s:b}]", "language",
				  "coding", "system", "urn:ietf:bcp:47", "code",
				  p->preferred_language, "preferred", 1));
	snprintf(id, sizeof(id), "Organization/%lld", (long long)p->org_id);
	json_object_set_new(r, "managingOrganization",
			    json_pack("{s:s}", "reference", id));
	return r;
}

enum err
fhir_patient_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct patient p;
	enum err e;

	if ((e = patient_get(c->ctx->db, c->ctx->a, id, &p)) != ERR_OK)
		return e;
	/* Another organisation's patient does not exist for this one. */
	if (p.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	if ((e = fhir_allow(c, "Patient", SCOPE_READ, id, RES_PROFILE,
			    ACT_READ)) != ERR_OK)
		return e;
	fhir_audit_read(c, "Patient", id, id);
	*out = fhir_patient_json(&p);
	return ERR_OK;
}

/* --- versions ----------------------------------------------------------- */

/* Patient `id` now, of this organisation, after the read check. */
static enum err
load_readable(struct fhir_call *c, int64_t id, struct patient *p)
{
	enum err e;

	if ((e = patient_get(c->ctx->db, c->ctx->a, id, p)) != ERR_OK)
		return e;
	if (p->org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	return fhir_allow(c, "Patient", SCOPE_READ, id, RES_PROFILE,
			  ACT_READ);
}

/* GET /fhir/Patient/<id>/_history/<version>: the current version, or a
 * past one as it was kept. */
enum err
fhir_patient_vread(struct fhir_call *c, int64_t id, int64_t version,
		   json_t **out)
{
	struct patient p, old;
	enum err e;

	if ((e = load_readable(c, id, &p)) != ERR_OK)
		return e;
	if (version != p.version) {
		e = version < p.version
			    ? patient_version_get(c->ctx->db, c->ctx->a, id,
						  version, &old)
			    : ERR_NOT_FOUND;
		if (e == ERR_NOT_FOUND)
			fhir_failf(&c->oo, 404, "not-found", NULL,
				   "Patient/%lld has no version %lld kept: "
				   "versions are kept from when cocare began "
				   "keeping them; see its _history.",
				   (long long)id, (long long)version);
		if (e != ERR_OK)
			return e;
		p = old;
	}
	fhir_audit_read(c, "Patient", id, id);
	*out = fhir_patient_json(&p);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* GET /fhir/Patient/<id>/_history: the current version, then each one
 * kept before it. */
enum err
fhir_patient_history(struct fhir_call *c, int64_t id, int64_t before,
		     int count, struct fhir_page *out)
{
	struct patient p, *old;
	size_t n, i, shown = 0;
	int64_t last = 0;
	enum err e;

	if ((e = load_readable(c, id, &p)) != ERR_OK)
		return e;
	fhir_audit_read(c, "Patient", id, id);
	if (!before || before > p.version) {
		json_array_append_new(out->match, fhir_patient_json(&p));
		last = p.version;
		shown++;
		before = p.version;
	}
	/* One more than there is room for tells whether more follow. */
	if ((e = patient_versions(c->ctx->db, c->ctx->a, id, before,
				  (size_t)count - shown + 1, &old, &n)) !=
	    ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		if (shown == (size_t)count) {
			out->next = fhir_cursor_make(c, last, id);
			break;
		}
		json_array_append_new(out->match, fhir_patient_json(&old[i]));
		last = old[i].version;
		shown++;
	}
	return ERR_OK;
}

/* A type history cursor holds when a version was made and its number
 * in one key (versions stay below this), and the patient as its id. */
#define VERSION_SPAN 1000000
#define HISTORY_BATCH 200
#define HISTORY_SCAN_MAX 5000	/* versions looked at for one page */

/* GET /fhir/Patient/_history: every version the caller may read of
 * every patient of the organisation, newest first. */
enum err
fhir_patient_type_history(struct fhir_call *c, const struct fhir_search *q,
			  int64_t since_ms, struct fhir_page *out)
{
	struct patient_version_key after, *keys, last = {0};
	struct patient p;
	bool has;
	int64_t key, pid;
	size_t n, i, shown = 0, scanned = 0;
	enum err e;

	if (!fhir_cursor_parse(c, q, &has, &key, &pid))
		return ERR_INVALID;
	if (has) {
		after.at = key / VERSION_SPAN;
		after.version = key % VERSION_SPAN;
		after.patient_id = pid;
	}
	for (;;) {
		if ((e = patient_history_of_org(
			     c->ctx->db, c->ctx->a, c->ctx->actor.org_id,
			     since_ms / 1000 + (since_ms % 1000 > 0),
			     has ? &after : NULL, HISTORY_BATCH, &keys, &n)) !=
		    ERR_OK)
			return e;
		for (i = 0; i < n; i++, scanned++) {
			const struct patient_version_key *k = &keys[i];

			if (shown == (size_t)q->count ||
			    scanned == HISTORY_SCAN_MAX) {
				/* More follow: the next page starts here. */
				out->next = fhir_cursor_make(
					c, last.at * VERSION_SPAN + last.version,
					last.patient_id);
				return ERR_OK;
			}
			last = *k;
			if (!fhir_may(c, "Patient", SCOPE_READ, k->patient_id,
				      RES_PROFILE))
				continue;
			e = patient_version_get(c->ctx->db, c->ctx->a,
						k->patient_id, k->version, &p);
			if (e == ERR_NOT_FOUND)
				e = patient_get(c->ctx->db, c->ctx->a,
						k->patient_id, &p);
			if (e != ERR_OK)
				return e;
			/* Changed since the list was read: that one comes
			 * on a later look. */
			if (p.version != k->version)
				continue;
			fhir_audit_read(c, "Patient", k->patient_id,
					k->patient_id);
			json_array_append_new(out->match, fhir_patient_json(&p));
			shown++;
		}
		if (n < HISTORY_BATCH)
			return ERR_OK;
		after = keys[n - 1];
		has = true;
	}
}

/* --- search -------------------------------------------------------------- */

/* "YYYY-MM-DD" of the first day starting at or after `ms`. */
static const char *
day_at_or_after(struct fhir_call *c, int64_t ms)
{
	int64_t day = ms / 86400000 + (ms % 86400000 > 0) -
		      (ms < 0 && ms % 86400000 != 0);
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	char *out = arena_alloc(c->ctx->a, 16);

	if (!out || !gmtime_r(&t, &tm))
		return NULL;
	strftime(out, 16, "%Y-%m-%d", &tm);
	return out;
}

/* The stored system of an identifier parameter's system, or NULL. */
static const char *
identifier_system(const char *uri, size_t n)
{
	size_t i, base = strlen(ID_SYSTEM);

	for (i = 0; i < 2; i++)
		if (n == base + strlen(identifier_systems[i]) &&
		    !strncmp(uri, ID_SYSTEM, base) &&
		    !strncmp(uri + base, identifier_systems[i], n - base))
			return identifier_systems[i];
	return NULL;
}

/* How many patients match that the caller may read: the ones a search
 * would show, never the ones hidden from them. */
static enum err
count_readable(struct fhir_call *c, struct patient_query *pq, int64_t *total)
{
	struct patient *rows;
	size_t i, n;
	enum err e;

	*total = 0;
	pq->limit = 1000;
	do {
		if ((e = patient_find(c->ctx->db, c->ctx->a, pq, &rows, &n)) !=
		    ERR_OK)
			return e;
		for (i = 0; i < n; i++)
			*total += fhir_may(c, "Patient", SCOPE_SEARCH,
					   rows[i].id, RES_PROFILE);
		if (n)
			pq->after_id = rows[n - 1].id;
	} while (n == pq->limit);
	return ERR_OK;
}

enum err
fhir_patient_search(struct fhir_call *c, const struct fhir_search *q,
		    struct fhir_page *out)
{
	const struct actor *who = &c->ctx->actor;
	struct patient_query pq = {.org_id = who->org_id};
	struct patient *rows;
	int64_t from = INT64_MIN, to = INT64_MAX, v;
	bool no_match = false;
	size_t i, n;
	enum err e;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (x->modifier) {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Patient search takes no modifiers.");
			return ERR_INVALID;
		} else if (!strcmp(x->name, "_id")) {
			if (!fhir_id_parse(x->value, &v))
				no_match = true;
			else if (pq.id && pq.id != v)
				no_match = true;
			pq.id = v;
		} else if (!strcmp(x->name, "identifier")) {
			const char *bar = strchr(x->value, '|');

			pq.identifier = bar ? bar + 1 : x->value;
			if (bar && !(pq.identifier_system = identifier_system(
					     x->value,
					     (size_t)(bar - x->value))))
				no_match = true;
		} else if (!strcmp(x->name, "name")) {
			pq.name = x->value;
		} else if (!strcmp(x->name, "gender")) {
			pq.gender = x->value;
		} else if (!strcmp(x->name, "birthdate")) {
			if (!fhir_date_param(c, "birthdate", x->value, &from,
					     &to))
				return ERR_INVALID;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Patient is searched by _id, identifier, "
				  "name, gender and birthdate only.");
			return ERR_INVALID;
		}
	}
	if (!fhir_no_sort(c, q, "Patients come in the order of their "
				"record numbers."))
		return ERR_INVALID;
	if (from != INT64_MIN || to != INT64_MAX) {
		pq.born_from = from == INT64_MIN ? "0000-00-00"
						 : day_at_or_after(c, from);
		pq.born_before = to == INT64_MAX ? "9999-99-99"
						 : day_at_or_after(c, to);
		if (!pq.born_from || !pq.born_before)
			return ERR_NOMEM;
	}
	/* A patient finds themself; staff who may list patients find the
	 * ones they may read (policy.h), one page at a time. */
	if (who->patient_id) {
		if (pq.id && pq.id != who->patient_id)
			no_match = true;
		pq.id = who->patient_id;
	} else if (!policy_org_allows(who, who->org_id, ORG_LIST_PATIENTS)) {
		fhir_fail(&c->oo, 403, "forbidden", NULL,
			  "Only staff who book or treat patients may search "
			  "for them.");
		return ERR_FORBIDDEN;
	}
	if (!fhir_cursor_parse(c, q, &(bool){false}, &v, &pq.after_id))
		return ERR_INVALID;
	if (no_match) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count)
		return count_readable(c, &pq, &out->total);
	pq.limit = (size_t)q->count + 1;
	if (pq.limit > 1000)
		pq.limit = 1000;
	if ((e = patient_find(c->ctx->db, c->ctx->a, &pq, &rows, &n)) != ERR_OK)
		return e;
	if (n > (size_t)q->count) {
		n = (size_t)q->count;
		out->next = fhir_cursor_make(c, 0, rows[n - 1].id);
	}
	for (i = 0; i < n; i++) {
		struct patient p;

		if (!fhir_may(c, "Patient", SCOPE_SEARCH, rows[i].id,
			      RES_PROFILE))
			continue;
		if ((e = patient_get(c->ctx->db, c->ctx->a, rows[i].id, &p)) !=
		    ERR_OK)
			return e;
		fhir_audit_read(c, "Patient", p.id, p.id);
		json_array_append_new(out->match, fhir_patient_json(&p));
	}
	return ERR_OK;
}

/* --- create and update ------------------------------------------------- */

/*
 * Every element of an R4 Patient. cocare keeps the names, gender,
 * birthDate, the preferred language, the identifiers of its own two
 * systems and its three extensions; it accepts and drops id and meta
 * (the server's own), language, text, contained, other extensions,
 * active, telecom, deceased[x], address, maritalStatus, multipleBirth[x],
 * photo, contact, generalPractitioner, managingOrganization (the
 * caller's organisation) and link, and identifiers of other systems.
 * implicitRules changes the meaning of the rest: refused.
 */
static const struct fhir_element patient_el[] = {
	FHIR_RESOURCE_ELEMENTS,
	{"identifier", FHIR_ARRAY},
	{"active", FHIR_BOOL},
	{"name", FHIR_ARRAY},
	{"telecom", FHIR_ARRAY},
	{"gender", FHIR_STRING},
	{"birthDate", FHIR_STRING},
	{"deceasedBoolean", FHIR_BOOL},
	{"deceasedDateTime", FHIR_STRING},
	{"address", FHIR_ARRAY},
	{"maritalStatus", FHIR_OBJECT},
	{"multipleBirthBoolean", FHIR_BOOL},
	{"multipleBirthInteger", FHIR_INTEGER},
	{"photo", FHIR_ARRAY},
	{"contact", FHIR_ARRAY},
	{"communication", FHIR_ARRAY},
	{"generalPractitioner", FHIR_ARRAY},
	{"managingOrganization", FHIR_OBJECT},
	{"link", FHIR_ARRAY},
};

static const struct fhir_element communication_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"modifierExtension", FHIR_ARRAY},
	{"language", FHIR_OBJECT},
	{"preferred", FHIR_BOOL},
};

static const struct fhir_def patient_def = FHIR_DEF(patient_el);
static const struct fhir_def communication_def = FHIR_DEF(communication_el);

static const char *const genders[] = {"female", "male", "other", "unknown"};

/* What a Patient sent by a client holds that cocare keeps. */
struct patient_in {
	const char *system[IDENTIFIERS_MAX];
	const char *value[IDENTIFIERS_MAX];
	size_t nids;
};

/* The name to keep: the first "usual" or "official" one, else the
 * first. Given names are kept as one text. */
static void
take_name(struct fhir_call *c, json_t *names, struct patient *p)
{
	json_t *n = NULL, *x, *given;
	size_t i;
	struct buf b;

	json_array_foreach(names, i, x) {
		const char *use = fhir_string_of(x, "use");

		if (use && (!strcmp(use, "usual") || !strcmp(use, "official"))) {
			n = x;
			break;
		}
	}
	if (!n)
		n = json_array_get(names, 0);
	p->family_name = (char *)fhir_string_of(n, "family");
	if (!p->family_name)
		p->family_name = "";
	given = json_object_get(n, "given");
	buf_init(&b, c->ctx->a, 4 * PATIENT_NAME_MAX);
	if (fhir_has_shape(given, FHIR_STRINGS))
		json_array_foreach(given, i, x) {
			if (i)
				buf_addc(&b, ' ');
			buf_adds(&b, json_string_value(x));
		}
	buf_addc(&b, '\0');
	p->given_name = b.failed ? (char *)"" : b.p;
}

/* The preferred language's primary subtag ("es" of "es-MX"). cocare
 * needs one: without any, the stored one stays (English when new). */
static void
take_language(struct fhir_call *c, json_t *comm, struct patient *p)
{
	json_t *x, *pick = NULL, *coding, *k;
	size_t i, j;

	if (!p->preferred_language || !p->preferred_language[0])
		p->preferred_language = "en";
	json_array_foreach(comm, i, x) {
		json_t *pref = json_object_get(x, "preferred");

		if (!pick || json_is_true(pref))
			pick = x;
	}
	coding = json_object_get(json_object_get(pick, "language"), "coding");
	json_array_foreach(coding, j, k) {
		const char *code = fhir_string_of(k, "code");

		if (code) {
			size_t n = strcspn(code, "-");

			p->preferred_language = str_lower(c->ctx->a, code, n);
			return;
		}
	}
}

static void
take_extensions(json_t *ext, struct patient *p)
{
	json_t *x;
	size_t i;

	p->interpreter_needed = false;
	p->communication_needs = "";
	p->accessibility_needs = "";
	json_array_foreach(ext, i, x) {
		const char *url = fhir_string_of(x, "url");
		const char *text = fhir_string_of(x, "valueString");

		if (!url)
			continue;
		if (!strcmp(url, EXT_INTERPRETER))
			p->interpreter_needed =
				json_is_true(json_object_get(x, "valueBoolean"));
		else if (!strcmp(url, EXT "communication-needs") && text)
			p->communication_needs = (char *)text;
		else if (!strcmp(url, EXT "accessibility-needs") && text)
			p->accessibility_needs = (char *)text;
	}
}

static void
take_identifiers(json_t *ids, struct patient_in *pin)
{
	json_t *x;
	size_t i;

	json_array_foreach(ids, i, x) {
		const char *uri = fhir_string_of(x, "system");
		const char *v = fhir_string_of(x, "value");
		const char *sys = uri ? identifier_system(uri, strlen(uri))
				      : NULL;

		if (sys && v && pin->nids < IDENTIFIERS_MAX) {
			pin->system[pin->nids] = sys;
			pin->value[pin->nids++] = v;
		}
	}
}

/* Where patient_validate()'s fields are in a Patient. */
static const char *
path_of_field(const char *field)
{
	static const struct {
		const char *field, *path;
	} map[] = {
		{"given_name", "Patient.name.given"},
		{"family_name", "Patient.name.family"},
		{"birth_date", "Patient.birthDate"},
		{"gender", "Patient.gender"},
		{"preferred_language", "Patient.communication.language"},
		{"communication_needs", "Patient.extension"},
		{"accessibility_needs", "Patient.extension"},
		{"system", "Patient.identifier.system"},
		{"value", "Patient.identifier.value"},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].field, field))
			return map[i].path;
	return "Patient";
}

/*
 * Reads the Patient `in` over `p` (the stored record for an update):
 * false with issues in the outcome when it is not an R4 Patient or
 * breaks the record's rules.
 */
static bool
patient_parse(struct fhir_call *c, json_t *in, struct patient *p,
	      struct patient_in *pin)
{
	struct problems ps = {0};
	const char *rt = fhir_string_of(in, "resourceType");
	const char *g;
	size_t i;

	if (!rt || strcmp(rt, "Patient")) {
		fhir_fail(&c->oo, 400, "invalid", "resourceType",
			  "Send a resource with resourceType Patient.");
		return false;
	}
	if (!fhir_check_members(&c->oo, in, &patient_def, "Patient"))
		return false;
	fhir_check_each(&c->oo, json_object_get(in, "name"),
			&fhir_human_name_def, "Patient.name");
	fhir_check_each(&c->oo, json_object_get(in, "identifier"),
			&fhir_identifier_def, "Patient.identifier");
	fhir_check_each(&c->oo, json_object_get(in, "extension"),
			&fhir_extension_def, "Patient.extension");
	fhir_check_each(&c->oo, json_object_get(in, "communication"),
			&communication_def, "Patient.communication");
	if (json_object_get(in, "implicitRules"))
		fhir_fail(&c->oo, 422, "not-supported", "Patient.implicitRules",
			  "cocare cannot apply other rules to a record; send "
			  "it without implicitRules.");
	g = fhir_string_of(in, "gender");
	for (i = 0; g && i < 4 && strcmp(g, genders[i]); i++)
		;
	if (g && i == 4)
		fhir_fail(&c->oo, 400, "code-invalid", "Patient.gender",
			  "The gender is female, male, other or unknown.");
	if (!json_object_get(in, "name"))
		fhir_fail(&c->oo, 422, "required", "Patient.name",
			  "Give the patient's name: family and given.");
	if (fhir_failed(&c->oo))
		return false;
	take_name(c, json_object_get(in, "name"), p);
	p->gender = (char *)(g ? g : "unknown");
	p->birth_date = (char *)fhir_string_of(in, "birthDate");
	if (!p->birth_date)
		p->birth_date = "";
	take_language(c, json_object_get(in, "communication"), p);
	take_extensions(json_object_get(in, "extension"), p);
	take_identifiers(json_object_get(in, "identifier"), pin);
	patient_validate(p, c->ctx->now, &ps);
	for (i = 0; i < pin->nids; i++)
		patient_identifier_validate(pin->system[i], pin->value[i], &ps);
	for (i = 0; i < ps.n; i++)
		fhir_fail(&c->oo, 422, "value", path_of_field(ps.p[i].field),
			  ps.p[i].msg);
	return !fhir_failed(&c->oo);
}

struct create_job {
	struct patient p;
	struct patient_in pin;
};

static enum err
create_fn(struct db *db, void *arg)
{
	struct create_job *j = arg;
	enum err e = patient_insert(db, &j->p);
	size_t i;

	for (i = 0; e == ERR_OK && i < j->pin.nids; i++)
		e = patient_identifier_insert(db, j->p.org_id, j->p.id,
					      j->pin.system[i],
					      j->pin.value[i]);
	return e;
}

/* The record as stored after a write, with its identifiers. */
static enum err
stored_result(struct fhir_call *c, struct fhir_write *w, json_t **out)
{
	struct patient p;
	enum err e = patient_get(c->ctx->db, c->ctx->a, w->id, &p);

	if (e == ERR_OK && !(*out = fhir_patient_json(&p)))
		e = ERR_NOMEM;
	return e;
}

/* Registers a patient without an account, as administrators do on the
 * accounts page (policy.h: ORG_ADMINISTER). */
enum err
fhir_patient_create(struct fhir_call *c, json_t *in, struct fhir_write *w)
{
	struct create_job *j = arena_calloc(c->ctx->a, 1, sizeof(*j));
	enum err e;

	if (!j)
		return ERR_NOMEM;
	w->wi.action = "create";
	w->wi.resource_type = "Patient";
	w->wi.resource_id = arena_printf(c->ctx->a, "%lld", (long long)w->id);
	w->wi.patient_id = w->id;
	w->wi.detail = "fhir";
	if ((e = fhir_allow(c, "Patient", SCOPE_CREATE, 0, RES_PROFILE,
			    ACT_WRITE)) != ERR_OK)
		return e;
	if (!policy_org_allows(&c->ctx->actor, c->ctx->actor.org_id,
			       ORG_ADMINISTER)) {
		fhir_fail(&c->oo, 403, "forbidden", NULL,
			  "Only administrators register patients.");
		write_refused(c->ctx, &w->wi);
		return ERR_FORBIDDEN;
	}
	j->p.id = w->id;
	j->p.org_id = c->ctx->actor.org_id;
	j->p.disability = "";
	j->p.digital_confidence = "";
	j->p.version = 1;
	j->p.created_at = j->p.updated_at = c->ctx->now;
	if (!patient_parse(c, in, &j->p, &j->pin))
		return ERR_INVALID;
	w->step.fn = create_fn;
	w->step.arg = j;
	w->job = j;
	w->result = stored_result;
	return ERR_OK;
}

struct update_job {
	struct ctx *ctx;
	struct patient p;
	struct patient_in pin;
	struct patient old;
};

/* The new demographics, and the numbers the record did not have. */
static enum err
update_fn(struct db *db, void *arg)
{
	struct update_job *j = arg;
	enum err e = patient_update(db, &j->p, j->ctx->now);
	size_t i, k;

	for (i = 0; e == ERR_OK && i < j->pin.nids; i++) {
		for (k = 0; k < j->old.nids; k++)
			if (!strcmp(j->old.ids[k].system, j->pin.system[i]) &&
			    !strcmp(j->old.ids[k].value, j->pin.value[i]))
				break;
		if (k == j->old.nids)
			e = patient_identifier_insert(db, j->p.org_id, j->p.id,
						      j->pin.system[i],
						      j->pin.value[i]);
	}
	return e;
}

enum err
fhir_patient_update(struct fhir_call *c, int64_t id, int64_t version,
		    json_t *in, struct fhir_write *w)
{
	struct update_job *j = arena_calloc(c->ctx->a, 1, sizeof(*j));
	const char *sent_id = fhir_string_of(in, "id");
	size_t i, k;
	enum err e;

	if (!j)
		return ERR_NOMEM;
	if ((e = patient_get(c->ctx->db, c->ctx->a, id, &j->old)) != ERR_OK)
		return e;
	if (j->old.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	if ((e = fhir_allow(c, "Patient", SCOPE_UPDATE, id, RES_PROFILE,
			    ACT_WRITE)) != ERR_OK)
		return e;
	if (!sent_id || strcmp(sent_id, arena_printf(c->ctx->a, "%lld",
						     (long long)id))) {
		fhir_fail(&c->oo, 400, "invalid", "Patient.id",
			  "Put the id of the URL in the resource.");
		return ERR_INVALID;
	}
	j->ctx = c->ctx;
	j->p = j->old;
	if (!patient_parse(c, in, &j->p, &j->pin))
		return ERR_INVALID;
	/* Numbers are added here; a wrong one is removed on the record's
	 * page, by someone who sees why. */
	for (k = 0; k < j->old.nids; k++) {
		for (i = 0; i < j->pin.nids; i++)
			if (!strcmp(j->old.ids[k].system, j->pin.system[i]) &&
			    !strcmp(j->old.ids[k].value, j->pin.value[i]))
				break;
		if (i == j->pin.nids) {
			fhir_fail(&c->oo, 422, "business-rule",
				  "Patient.identifier",
				  "Send every number the record has: numbers "
				  "are not removed through the API.");
			return ERR_INVALID;
		}
	}
	if (version != j->old.version) {
		fhir_fail(&c->oo, 412, "conflict", NULL,
			  "Someone changed this patient since you read it. "
			  "Read it again, apply your change and send it with "
			  "the new version in If-Match.");
		return ERR_CONFLICT;
	}
	j->p.version = version;
	w->id = id;
	w->wi.action = "update";
	w->wi.resource_type = "Patient";
	w->wi.resource_id = sent_id;
	w->wi.patient_id = id;
	w->wi.touchpoint_kind = "profile-update";
	w->step.fn = update_fn;
	w->step.arg = j;
	w->job = j;
	w->result = stored_result;
	return ERR_OK;
}
