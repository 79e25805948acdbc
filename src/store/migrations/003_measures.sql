-- Measures: questionnaires sent and answered, their scores, home readings,
-- the targets patient and professional agreed, the care team's queue of
-- alerts, and the patient's agenda for the next visit. Numbers are kept
-- exact as thousandths (value_milli) in the measure's storage unit.

-- Questionnaires an organisation added (the library ones are built in).
-- body is the FHIR Questionnaire JSON; scored_as names the library
-- instrument whose published rules score it ('' when it carries its own).
CREATE TABLE org_instrument (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	url TEXT NOT NULL,
	version TEXT NOT NULL,
	lang TEXT NOT NULL,
	title TEXT NOT NULL,
	scored_as TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	added_by BIGINT NOT NULL,
	added_ms BIGINT NOT NULL,
	UNIQUE (org_id, url, version, lang)
);

-- A questionnaire sent to a patient: once (due_date), before an
-- appointment (appointment_date less days_before) or every every_days
-- days from due_date. due_date is the next date it is due; answering it
-- moves a repeating request on and closes the others.
CREATE TABLE measure_request (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	instrument_url TEXT NOT NULL,
	schedule TEXT NOT NULL,
	due_date TEXT NOT NULL,
	every_days INTEGER NOT NULL DEFAULT 0,
	appointment_date TEXT NOT NULL DEFAULT '',
	days_before INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'open',
	sent_by BIGINT NOT NULL,
	sent_ms BIGINT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX measure_request_by_patient
	ON measure_request (patient_id, status, due_date);

-- One answering of a questionnaire: in progress (saved to resume at
-- `screen`) or completed. answers is the QuestionnaireResponse JSON.
-- mode is 'self' or 'with-professional' (filled in together at a visit).
CREATE TABLE measure_response (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	request_id BIGINT REFERENCES measure_request (id),
	instrument_url TEXT NOT NULL,
	instrument_version TEXT NOT NULL,
	lang TEXT NOT NULL,
	status TEXT NOT NULL,
	mode TEXT NOT NULL,
	answers TEXT NOT NULL,
	screen INTEGER NOT NULL DEFAULT 0,
	entered_by BIGINT NOT NULL,
	started_ms BIGINT NOT NULL,
	updated_ms BIGINT NOT NULL,
	completed_ms BIGINT NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX measure_response_by_patient
	ON measure_response (patient_id, status, completed_ms);

-- Each score of a completed response, for the charts. value_milli is
-- NULL when the score could not be computed (reason says why).
CREATE TABLE measure_score (
	response_id BIGINT NOT NULL REFERENCES measure_response (id),
	name TEXT NOT NULL,
	patient_id BIGINT NOT NULL,
	instrument_url TEXT NOT NULL,
	at_ms BIGINT NOT NULL,
	value_milli BIGINT,
	band TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (response_id, name)
);
CREATE INDEX measure_score_by_patient
	ON measure_score (patient_id, instrument_url, name, at_ms);

-- Home readings. value2_milli is the diastolic pressure of a blood
-- pressure reading, 0 otherwise; the unique key turns a double submit
-- into one reading, and its index alone answers a chart's series.
CREATE TABLE reading (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	kind TEXT NOT NULL,
	at_ms BIGINT NOT NULL,
	value_milli BIGINT NOT NULL,
	value2_milli BIGINT NOT NULL DEFAULT 0,
	source TEXT NOT NULL,
	entered_by BIGINT NOT NULL,
	entered_ms BIGINT NOT NULL,
	UNIQUE (patient_id, kind, at_ms, value_milli, value2_milli)
);

-- The range patient and professional agreed for one measure (a reading
-- kind, or 'score:<instrument url>#<score name>'), with the advice the
-- patient sees when a value falls outside it. A side's agreement is
-- cleared whenever the other side changes the target.
CREATE TABLE measure_target (
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	measure TEXT NOT NULL,
	org_id BIGINT NOT NULL,
	low_milli BIGINT,
	high_milli BIGINT,
	low2_milli BIGINT,
	high2_milli BIGINT,
	advice TEXT NOT NULL DEFAULT '',
	patient_agreed_ms BIGINT NOT NULL DEFAULT 0,
	team_agreed_ms BIGINT NOT NULL DEFAULT 0,
	team_agreed_by BIGINT,
	updated_by BIGINT NOT NULL,
	updated_ms BIGINT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (patient_id, measure)
);

-- The care team's queue: readings outside the agreed range (grouped per
-- measure while the item is open) and questionnaire flags (PHQ-9 item 9).
CREATE TABLE measure_alert (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	measure TEXT NOT NULL,
	kind TEXT NOT NULL,
	urgent INTEGER NOT NULL DEFAULT 0,
	label TEXT NOT NULL,
	last_value TEXT NOT NULL DEFAULT '',
	count INTEGER NOT NULL DEFAULT 1,
	first_ms BIGINT NOT NULL,
	last_ms BIGINT NOT NULL,
	response_id BIGINT,
	status TEXT NOT NULL DEFAULT 'open',
	closed_by BIGINT,
	closed_ms BIGINT NOT NULL DEFAULT 0,
	closing_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX measure_alert_open ON measure_alert (status, patient_id, measure);

-- What the patient (or anyone on their side or the team) wants to talk
-- about at the next visit, shown first in it.
CREATE TABLE visit_agenda (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	text TEXT NOT NULL,
	added_by BIGINT NOT NULL,
	added_ms BIGINT NOT NULL,
	discussed_ms BIGINT NOT NULL DEFAULT 0,
	discussed_by BIGINT
);
CREATE INDEX visit_agenda_by_patient ON visit_agenda (patient_id, discussed_ms);

-- A patient's measures change counter: every stored reading, answered
-- questionnaire and target change moves it on, so a page drawn from
-- them can be reused until it moves (web/fragment.h).
CREATE TABLE measure_version (
	patient_id BIGINT PRIMARY KEY REFERENCES patient (id),
	version BIGINT NOT NULL
);

-- A readings file between its preview and the person's confirmation:
-- the file as uploaded (valid UTF-8 text, checked), whose readings are
-- stored only on confirm, by the same account for the same patient. The
-- confirming write deletes it; files left unconfirmed for a day are
-- deleted by the next upload.
CREATE TABLE reading_upload (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	account_id BIGINT NOT NULL,
	filename TEXT NOT NULL,
	body TEXT NOT NULL,
	created_ms BIGINT NOT NULL
);
