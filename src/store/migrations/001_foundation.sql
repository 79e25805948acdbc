-- Foundation schema: organisations, accounts, patients, care teams,
-- caregiver grants, sessions, throttling, API tokens, break-the-glass,
-- and the audit chain with provenance and touchpoints.
-- Portable to SQLite and PostgreSQL: BIGINT ids made by the application,
-- times as BIGINT Unix seconds (audit in milliseconds), flags as INTEGER
-- 0/1. Every table with patient or organisation data carries org_id so a
-- distributed PostgreSQL can shard by it.

CREATE TABLE setting (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE organisation (
	id BIGINT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	require_staff_2fa INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);

CREATE TABLE unit (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (org_id, name)
);

CREATE TABLE patient (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	unit_id BIGINT REFERENCES unit(id),
	given_name TEXT NOT NULL,
	family_name TEXT NOT NULL,
	search_name TEXT NOT NULL,
	birth_date TEXT NOT NULL,
	gender TEXT NOT NULL,
	preferred_language TEXT NOT NULL,
	interpreter_needed INTEGER NOT NULL DEFAULT 0,
	communication_needs TEXT NOT NULL DEFAULT '',
	accessibility_needs TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX patient_by_name ON patient (org_id, search_name);

CREATE TABLE patient_identifier (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	patient_id BIGINT NOT NULL REFERENCES patient(id),
	system TEXT NOT NULL,
	value TEXT NOT NULL,
	UNIQUE (org_id, system, value)
);
CREATE INDEX identifier_by_patient ON patient_identifier (patient_id);

CREATE TABLE account (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	role TEXT NOT NULL,
	discipline TEXT NOT NULL DEFAULT '',
	unit_id BIGINT REFERENCES unit(id),
	patient_id BIGINT REFERENCES patient(id),
	email TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	totp_secret TEXT NOT NULL DEFAULT '',
	totp_enabled INTEGER NOT NULL DEFAULT 0,
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX account_by_org ON account (org_id, role);

CREATE TABLE care_team_member (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	patient_id BIGINT NOT NULL REFERENCES patient(id),
	account_id BIGINT NOT NULL REFERENCES account(id),
	team_role TEXT NOT NULL,
	since BIGINT NOT NULL,
	UNIQUE (patient_id, account_id)
);
CREATE INDEX care_team_by_account ON care_team_member (account_id);

CREATE TABLE caregiver_grant (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	patient_id BIGINT NOT NULL REFERENCES patient(id),
	caregiver_id BIGINT NOT NULL REFERENCES account(id),
	relationship TEXT NOT NULL,
	scopes INTEGER NOT NULL,
	granted_by BIGINT NOT NULL REFERENCES account(id),
	granted_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX grant_by_caregiver ON caregiver_grant (caregiver_id);
CREATE INDEX grant_by_patient ON caregiver_grant (patient_id);

CREATE TABLE break_glass (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	patient_id BIGINT NOT NULL REFERENCES patient(id),
	account_id BIGINT NOT NULL REFERENCES account(id),
	reason TEXT NOT NULL,
	opened_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX break_glass_by_account ON break_glass (account_id, patient_id);
CREATE INDEX break_glass_by_org ON break_glass (org_id, opened_at);

CREATE TABLE session (
	id BIGINT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	account_id BIGINT NOT NULL REFERENCES account(id),
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	csrf_token TEXT NOT NULL,
	second_factor_done INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	last_seen BIGINT NOT NULL
);
CREATE INDEX session_by_account ON session (account_id);

CREATE TABLE login_throttle (
	key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_failure BIGINT NOT NULL
);

CREATE TABLE api_token (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation(id),
	account_id BIGINT NOT NULL REFERENCES account(id),
	label TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	scopes TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0,
	last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_token_by_account ON api_token (account_id);

-- The audit chain: seq is gapless and each hash covers the previous one,
-- so an edited, removed or reordered row breaks the chain. audit_head
-- holds the newest entry so removing the last rows is found too.
CREATE TABLE audit_event (
	seq BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	at_ms BIGINT NOT NULL,
	actor_id BIGINT NOT NULL,
	actor_role TEXT NOT NULL,
	action TEXT NOT NULL,
	resource_type TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	patient_id BIGINT NOT NULL,
	outcome TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_by_patient ON audit_event (patient_id, seq);
-- "Who else looked": skips the patient's own rows by range.
CREATE INDEX audit_by_patient_actor ON audit_event (patient_id, actor_id, at_ms);

CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY,
	seq BIGINT NOT NULL,
	hash TEXT NOT NULL
);

CREATE TABLE provenance (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	at_ms BIGINT NOT NULL,
	audit_seq BIGINT NOT NULL,
	resource_type TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	patient_id BIGINT NOT NULL,
	author_id BIGINT NOT NULL,
	voice TEXT NOT NULL,
	activity TEXT NOT NULL
);
CREATE INDEX provenance_by_resource ON provenance (resource_type, resource_id);
CREATE INDEX provenance_by_patient ON provenance (patient_id, at_ms);

CREATE TABLE touchpoint (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	at_ms BIGINT NOT NULL,
	patient_id BIGINT NOT NULL,
	channel TEXT NOT NULL,
	direction TEXT NOT NULL,
	initiator_id BIGINT NOT NULL,
	initiator_side TEXT NOT NULL,
	kind TEXT NOT NULL,
	resource_type TEXT NOT NULL,
	resource_id TEXT NOT NULL
);
CREATE INDEX touchpoint_by_patient ON touchpoint (patient_id, at_ms);
