-- Research consent (src/people/research.c): each time a patient gives or
-- withdraws consent for their record to be used for research, a row, so
-- that a withdrawal never erases the fact of an earlier consent. The
-- latest row is the patient's answer now.
CREATE TABLE research_consent (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	patient_id BIGINT NOT NULL REFERENCES patient(id),
	given INTEGER NOT NULL,
	recorded_by BIGINT NOT NULL REFERENCES account(id),
	voice TEXT NOT NULL,
	at_ms BIGINT NOT NULL
);
CREATE INDEX research_consent_by_patient ON research_consent (patient_id, at_ms, id);

-- The organisation's key for pseudonymised research exports
-- (src/fhir/pseudonym.c): made at its first research export, never
-- shown, so the same patient has the same pseudonym in every export.
CREATE TABLE research_key (
	org_id BIGINT PRIMARY KEY REFERENCES organisation(id),
	key_hex TEXT NOT NULL
);
