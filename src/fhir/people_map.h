/*
 * The people around a patient as FHIR R4 resources: staff accounts as
 * Practitioner and PractitionerRole, the organisation and its units as
 * Organization, a patient's care team as CareTeam, and each caregiver
 * grant as both a RelatedPerson (the caregiver, as related to that
 * patient) and a Consent (what the grant allows, and until when). Pure
 * code: no HTTP, no database. Every function returns a new reference
 * (NULL, or a resource with elements missing, only when memory runs
 * out).
 */
#ifndef FHIR_PEOPLE_MAP_H
#define FHIR_PEOPLE_MAP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/account.h"
#include "people/careteam.h"
#include "people/org.h"

/* Where cocare's own codes live (docs/fhir.md). */
#define FHIR_ROLE_SYSTEM "https://cocare.org/fhir/CodeSystem/role"
#define FHIR_RECORD_PART_SYSTEM "https://cocare.org/fhir/CodeSystem/record-part"
#define FHIR_CONSENT_CATEGORY_SYSTEM \
	"https://cocare.org/fhir/CodeSystem/consent-category"
#define FHIR_CONSENT_STATE_SYSTEM "http://hl7.org/fhir/consent-state-codes"

/*
 * The Practitioner for a staff account: id, meta (versionId "1",
 * lastUpdated from updated_at), active (not disabled) and the display
 * name as name[0].text. Nothing else: user name, e-mail, language and
 * sign-in details stay in cocare.
 */
json_t *fhir_practitioner_json(const struct account *acc);

/*
 * The PractitionerRole of a staff account (the same id): active, the
 * practitioner with its name, the unit as organization (the
 * organisation when the account has no unit), the role as code (system
 * FHIR_ROLE_SYSTEM, its stored name and English label) and the
 * discipline, when there is one, as specialty[0].text.
 */
json_t *fhir_practitioner_role_json(const struct account *acc);

/*
 * The Organization for the organisation: active, type "prov", name and
 * the emergency number where it works as a cocare extension. No
 * meta.lastUpdated: cocare does not keep when the name last changed.
 */
json_t *fhir_organization_json(const struct organisation *o);

/*
 * The Organization for a unit: active, type "dept", name, partOf the
 * organisation, and meta.lastUpdated from created_at (a unit is never
 * changed).
 */
json_t *fhir_unit_json(const struct unit *u);

/*
 * The CareTeam of patient `patient_id` of organisation `org_id` (id: the
 * patient's id): status "active", subject, managingOrganization, and a
 * participant per member of `m` (`n` of them): its member id as the
 * participant's id, the team role as role[0].text, the professional as
 * member (Practitioner, with the name), since as period.start, and the
 * discipline as a cocare extension.
 */
json_t *fhir_care_team_json(int64_t patient_id, int64_t org_id,
			    const struct team_member *m, size_t n);

/*
 * The RelatedPerson for grant `g` (id: the grant's id): the caregiver as
 * related to that patient, active when the grant is in force at `now`,
 * the caregiver's account as identifier, the patient, the relationship
 * as relationship[0].text, the name as name[0].text, and as period the
 * grant's start and its end (when withdrawn, else when it ends).
 */
json_t *fhir_related_person_json(const struct grant *g, int64_t now);

/*
 * The Consent for grant `g` (the same id): status "active" while in
 * force at `now`, else "inactive"; scope patient-privacy; category
 * caregiver access; patient; dateTime granted; the person who granted
 * it as performer; the organisation; policyRule OPTIN; and a provision
 * whose period is the grant's, whose actor is the RelatedPerson, with a
 * nested permit per part of the record granted: action "access" to see
 * it and "correct" to change it, class the part (system
 * FHIR_RECORD_PART_SYSTEM, resource_name() and resource_label()). A
 * withdrawn grant has its time in a cocare extension.
 */
json_t *fhir_consent_json(const struct grant *g, int64_t now);

/* Research consents have ids of their own kind: the answer's row id
 * plus this, so that they never meet a grant's. */
#define FHIR_RESEARCH_CONSENT_BASE (INT64_C(1) << 62)

struct research_consent;

/*
 * The Consent for research consent `given` (an answer yes), ended by
 * `ended` (the next answer, a withdrawal) or NULL while in force:
 * status active or inactive; scope research; category research;
 * patient; dateTime; who recorded it as performer (the patient, or a
 * professional) with the voice as an extension; the organisation;
 * policyRule OPTIN; provision permit over the period agreed.
 */
json_t *fhir_research_consent_json(const struct research_consent *given,
				   const struct research_consent *ended);

#endif
