-- Past versions of each patient's record (src/people/patient.c): the
-- record as it was, kept inside the same write that replaces it, with
-- its numbers then, so the FHIR API can answer vread and history. The
-- current version stays in patient; versions older than this migration
-- were not kept.
CREATE TABLE patient_version (
	patient_id BIGINT NOT NULL REFERENCES patient(id),
	version INTEGER NOT NULL,
	org_id BIGINT NOT NULL,
	given_name TEXT NOT NULL,
	family_name TEXT NOT NULL,
	birth_date TEXT NOT NULL,
	gender TEXT NOT NULL,
	preferred_language TEXT NOT NULL,
	interpreter_needed INTEGER NOT NULL,
	communication_needs TEXT NOT NULL,
	accessibility_needs TEXT NOT NULL,
	disability TEXT NOT NULL,
	digital_confidence TEXT NOT NULL,
	deprivation_decile INTEGER NOT NULL,
	identifiers TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (patient_id, version)
);
CREATE INDEX patient_version_by_org ON patient_version (org_id, updated_at);
