-- FHIR bulk data export ($export, src/fhir/export.c): a job asked for by
-- a person, made in the background by the export worker of any cocare
-- process (claimed for a lease, so another takes over after a crash),
-- and its NDJSON files, kept in the database so that every process can
-- answer for them. Both are deleted a day after they are made.
CREATE TABLE fhir_export (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	account_id BIGINT NOT NULL,
	scopes TEXT NOT NULL,
	level TEXT NOT NULL,
	group_id BIGINT NOT NULL,
	types TEXT NOT NULL,
	since_ms BIGINT NOT NULL,
	request TEXT NOT NULL,
	status TEXT NOT NULL,
	lease_until_ms BIGINT NOT NULL,
	done INTEGER NOT NULL,
	total INTEGER NOT NULL,
	error TEXT NOT NULL,
	created_ms BIGINT NOT NULL,
	finished_ms BIGINT NOT NULL
);
CREATE INDEX fhir_export_by_status ON fhir_export (status, lease_until_ms);
CREATE TABLE fhir_export_file (
	export_id BIGINT NOT NULL,
	type TEXT NOT NULL,
	part INTEGER NOT NULL,
	lines INTEGER NOT NULL,
	body TEXT NOT NULL,
	PRIMARY KEY (export_id, type, part)
);
