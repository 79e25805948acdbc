/*
 * Pseudonymised resources. What is kept is listed per type below; all
 * else is left out, so a new element in cocare's own mapping never leaks
 * into research data without being added here on purpose.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fhir/pseudonym.h"
#include "core/banned.h"

void
fhir_pseudonym_id(const unsigned char key[PSEUDONYM_KEY_LEN],
		  const char *type, const char *id,
		  char out[PSEUDONYM_ID_LEN + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, key, PSEUDONYM_KEY_LEN);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)type,
				      strlen(type));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"/", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id,
				      strlen(id));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, PSEUDONYM_ID_LEN + 1, mac, PSEUDONYM_ID_LEN / 2);
}

int
fhir_pseudonym_shift(const unsigned char key[PSEUDONYM_KEY_LEN], int64_t pid)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char msg[40];
	uint32_t v;
	int days;

	snprintf(msg, sizeof(msg), "shift/%lld", (long long)pid);
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, strlen(msg),
			       key);
	v = (uint32_t)mac[0] << 24 | (uint32_t)mac[1] << 16 |
	    (uint32_t)mac[2] << 8 | mac[3];
	/* -182..182, with 0 moved to 183: a date is always moved. */
	days = (int)(v % (2 * (PSEUDONYM_SHIFT_MAX - 1) + 1)) -
	       (PSEUDONYM_SHIFT_MAX - 1);
	return days ? days : PSEUDONYM_SHIFT_MAX;
}

/* Digits s[0..n) as a number, or -1. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * A FHIR date, dateTime or instant moved by `days`, at the precision it
 * had ("1980", "1980-03", "1980-03-04", or with a time, which is kept);
 * NULL when `s` is not one.
 */
static json_t *
shift_date(const char *s, int days)
{
	size_t n = strlen(s);
	struct tm tm = {0};
	time_t t;
	char out[64];
	int y = n >= 4 ? digits(s, 4) : -1, m = 1, d = 1;

	if (y < 1 || (n > 4 && s[4] != '-'))
		return NULL;
	if (n >= 7 && (m = digits(s + 5, 2)) < 1)
		return NULL;
	if (n >= 10 && (s[7] != '-' || (d = digits(s + 8, 2)) < 1))
		return NULL;
	if ((n > 4 && n < 7) || (n > 7 && n < 10) || (n > 10 && s[10] != 'T') ||
	    n >= sizeof(out) - 10)
		return NULL;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + days;
	tm.tm_hour = 12;
	if ((t = timegm(&tm)) == (time_t)-1 || !gmtime_r(&t, &tm))
		return NULL;
	if (n == 4)
		snprintf(out, sizeof(out), "%04d", tm.tm_year + 1900);
	else if (n == 7)
		snprintf(out, sizeof(out), "%04d-%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1);
	else
		snprintf(out, sizeof(out), "%04d-%02d-%02d%s",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, s + 10);
	return json_string(out);
}

struct pseud {
	const unsigned char *key;
	int days;
};

/* Copies member `name` of `from` to `to` when it is a string. */
static void
copy_str(json_t *to, json_t *from, const char *name)
{
	json_t *v = json_object_get(from, name);

	if (json_is_string(v))
		json_object_set(to, name, v);
}

/* A date member, moved. */
static void
copy_date(const struct pseud *p, json_t *to, json_t *from, const char *name)
{
	json_t *v = json_object_get(from, name), *moved;

	if (json_is_string(v) &&
	    (moved = shift_date(json_string_value(v), p->days)))
		json_object_set_new(to, name, moved);
}

/* A CodeableConcept: its codings (system, code, display); its text,
 * which may be anyone's words, is left out. */
static json_t *
concept(json_t *cc)
{
	json_t *codings = json_array(), *c, *out;
	size_t i;

	json_array_foreach(json_object_get(cc, "coding"), i, c) {
		json_t *k = json_object();

		copy_str(k, c, "system");
		copy_str(k, c, "code");
		copy_str(k, c, "display");
		if (json_object_size(k))
			json_array_append_new(codings, k);
		else
			json_decref(k);
	}
	if (!json_array_size(codings)) {
		json_decref(codings);
		return NULL;
	}
	out = json_object();
	json_object_set_new(out, "coding", codings);
	return out;
}

static void
copy_concept(json_t *to, json_t *from, const char *name)
{
	json_t *c = concept(json_object_get(from, name));

	if (c)
		json_object_set_new(to, name, c);
}

static void
copy_concepts(json_t *to, json_t *from, const char *name)
{
	json_t *arr = json_array(), *cc, *c;
	size_t i;

	json_array_foreach(json_object_get(from, name), i, cc)
		if ((c = concept(cc)))
			json_array_append_new(arr, c);
	if (json_array_size(arr))
		json_object_set_new(to, name, arr);
	else
		json_decref(arr);
}

/* A reference "Type/id", to the pseudonym of what it names; a
 * reference of another form (or its display) is left out. */
static void
copy_ref(const struct pseud *p, json_t *to, json_t *from, const char *name)
{
	const char *ref = json_string_value(
		json_object_get(json_object_get(from, name), "reference"));
	const char *slash = ref ? strchr(ref, '/') : NULL;
	char type[64], id[PSEUDONYM_ID_LEN + 1];
	size_t tn;

	if (!slash || (tn = (size_t)(slash - ref)) == 0 || tn >= sizeof(type) ||
	    !slash[1] || strchr(slash + 1, '/'))
		return;
	memcpy(type, ref, tn);
	type[tn] = '\0';
	fhir_pseudonym_id(p->key, type, slash + 1, id);
	json_object_set_new(to, name,
			    json_pack("{s:s++}", "reference", type, "/", id));
}

static void
copy_quantity(json_t *to, json_t *from, const char *name)
{
	json_t *q = json_object_get(from, name), *out;

	if (!json_is_object(q))
		return;
	out = json_object();
	if (json_is_number(json_object_get(q, "value")))
		json_object_set(out, "value", json_object_get(q, "value"));
	copy_str(out, q, "comparator");
	copy_str(out, q, "unit");
	copy_str(out, q, "system");
	copy_str(out, q, "code");
	json_object_set_new(to, name, out);
}

/* The resource's own id, to its pseudonym. */
static void
copy_id(const struct pseud *p, json_t *to, json_t *from, const char *type)
{
	const char *id = json_string_value(json_object_get(from, "id"));
	char out[PSEUDONYM_ID_LEN + 1];

	if (!id)
		return;
	fhir_pseudonym_id(p->key, type, id, out);
	json_object_set_new(to, "id", json_string(out));
}

/* Patient: sex, the birth date and death (moved), the languages spoken
 * (codes), and the organisation. No name, number, contact or address. */
static json_t *
patient(const struct pseud *p, json_t *in)
{
	json_t *out = json_pack("{s:s}", "resourceType", "Patient"), *c;
	json_t *langs = json_array();
	size_t i;

	copy_id(p, out, in, "Patient");
	copy_str(out, in, "gender");
	copy_date(p, out, in, "birthDate");
	if (json_is_boolean(json_object_get(in, "deceasedBoolean")))
		json_object_set(out, "deceasedBoolean",
				json_object_get(in, "deceasedBoolean"));
	copy_date(p, out, in, "deceasedDateTime");
	json_array_foreach(json_object_get(in, "communication"), i, c) {
		json_t *k = json_object();

		copy_concept(k, c, "language");
		if (json_is_boolean(json_object_get(c, "preferred")))
			json_object_set(k, "preferred",
					json_object_get(c, "preferred"));
		if (json_object_get(k, "language"))
			json_array_append_new(langs, k);
		else
			json_decref(k);
	}
	if (json_array_size(langs))
		json_object_set_new(out, "communication", langs);
	else
		json_decref(langs);
	copy_ref(p, out, in, "managingOrganization");
	return out;
}

/* Observation: what was measured, its value, when (moved) and whose. No
 * note, performer or free text. */
static json_t *
observation(const struct pseud *p, json_t *in)
{
	json_t *out = json_pack("{s:s}", "resourceType", "Observation"), *c;
	json_t *comps = json_array();
	size_t i;

	copy_id(p, out, in, "Observation");
	copy_str(out, in, "status");
	copy_concepts(out, in, "category");
	copy_concept(out, in, "code");
	copy_ref(p, out, in, "subject");
	copy_date(p, out, in, "effectiveDateTime");
	copy_date(p, out, in, "effectiveInstant");
	copy_date(p, out, in, "issued");
	copy_quantity(out, in, "valueQuantity");
	copy_concepts(out, in, "interpretation");
	json_array_foreach(json_object_get(in, "component"), i, c) {
		json_t *k = json_object();

		copy_concept(k, c, "code");
		copy_quantity(k, c, "valueQuantity");
		json_array_append_new(comps, k);
	}
	if (json_array_size(comps))
		json_object_set_new(out, "component", comps);
	else
		json_decref(comps);
	return out;
}

json_t *
fhir_pseudonymise(const unsigned char key[PSEUDONYM_KEY_LEN], json_t *res,
		  int64_t pid)
{
	const char *type =
		json_string_value(json_object_get(res, "resourceType"));
	struct pseud p = {key, fhir_pseudonym_shift(key, pid)};

	if (type && !strcmp(type, "Patient"))
		return patient(&p, res);
	if (type && !strcmp(type, "Observation"))
		return observation(&p, res);
	return NULL;
}
