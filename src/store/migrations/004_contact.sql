-- Contact: online consultations, secure messaging, appointments, the
-- notification outbox, and the patient groups the touchpoint analytics
-- split by. Times are Unix seconds unless the name says _ms. Every row
-- that reaches a patient's record carries org_id and patient_id.

-- The patient groups of the touchpoint analytics that the foundation's
-- patient table does not hold yet ('' or 0: not known).
ALTER TABLE patient ADD COLUMN disability TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN digital_confidence TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN deprivation_decile INTEGER NOT NULL DEFAULT 0;

-- ---------------------------------------------------------------------
-- Online consultations (src/contact/consult*.c)
-- ---------------------------------------------------------------------

-- The organisation's service: on or off, only in working hours, the
-- working week (minutes from local midnight) and the service level.
CREATE TABLE contact_service (
	org_id BIGINT PRIMARY KEY REFERENCES organisation (id),
	consult_open INTEGER NOT NULL DEFAULT 1,
	hours_only INTEGER NOT NULL DEFAULT 0,
	closed_message TEXT NOT NULL DEFAULT '',
	work_days TEXT NOT NULL DEFAULT '12345',
	day_start_min INTEGER NOT NULL DEFAULT 480,
	day_end_min INTEGER NOT NULL DEFAULT 1080,
	due_working_days INTEGER NOT NULL DEFAULT 1,
	version INTEGER NOT NULL DEFAULT 1,
	updated_at BIGINT NOT NULL
);

CREATE TABLE contact_holiday (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	day TEXT NOT NULL,
	name TEXT NOT NULL,
	UNIQUE (org_id, day)
);

-- One request. kind: condition, new_problem, prescription, admin.
-- channel: web, phone, desk. status: submitted, triaged, waiting,
-- closed, red_flag (stopped by a red-flag answer: emergency advice was
-- shown). outcome ('' until closed): reply, appointment, self_care,
-- signpost, closed. first_response_at and closed_at are 0 until then.
CREATE TABLE consultation (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	unit_id BIGINT NOT NULL DEFAULT 0,
	kind TEXT NOT NULL,
	channel TEXT NOT NULL,
	submitted_by BIGINT NOT NULL,
	submitted_at BIGINT NOT NULL,
	answers TEXT NOT NULL,
	status TEXT NOT NULL,
	priority TEXT NOT NULL DEFAULT 'routine',
	assigned_account_id BIGINT NOT NULL DEFAULT 0,
	assigned_unit_id BIGINT NOT NULL DEFAULT 0,
	due_at BIGINT NOT NULL DEFAULT 0,
	first_response_at BIGINT NOT NULL DEFAULT 0,
	closed_at BIGINT NOT NULL DEFAULT 0,
	outcome TEXT NOT NULL DEFAULT '',
	close_reason TEXT NOT NULL DEFAULT '',
	request_key TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	updated_at BIGINT NOT NULL,
	UNIQUE (org_id, request_key)
);
CREATE INDEX consultation_by_patient ON consultation (patient_id, submitted_at);
CREATE INDEX consultation_open ON consultation (org_id, closed_at, due_at);
CREATE INDEX consultation_by_time ON consultation (org_id, submitted_at);

-- What happened to a request, step by step, as the patient sees it.
CREATE TABLE consultation_step (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	consultation_id BIGINT NOT NULL REFERENCES consultation (id),
	at BIGINT NOT NULL,
	actor_id BIGINT NOT NULL,
	step TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consultation_step_by_request ON consultation_step (consultation_id, at);

-- The patient's rating after closing: two questions, 1 to 5.
CREATE TABLE consultation_rating (
	consultation_id BIGINT PRIMARY KEY REFERENCES consultation (id),
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL,
	rated_at BIGINT NOT NULL,
	ease INTEGER NOT NULL,
	helped INTEGER NOT NULL
);

-- The triage queue filtered to one person or one unit, soonest due
-- first (a red-flag stop is closed at once, so never in the queue).
CREATE INDEX consultation_open_by_account ON consultation
	(org_id, assigned_account_id, closed_at, due_at);
CREATE INDEX consultation_open_by_unit ON consultation
	(org_id, assigned_unit_id, closed_at, due_at);

-- The organisation's form for one kind of request: red-flag questions
-- (answered yes or no, asked first) and questions, one per line, and the
-- emergency advice shown when a red flag is answered yes. An
-- organisation without a row gets cocare's defaults.
CREATE TABLE consult_form (
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	kind TEXT NOT NULL,
	red_flags TEXT NOT NULL,
	questions TEXT NOT NULL,
	advice TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (org_id, kind)
);

-- ---------------------------------------------------------------------
-- Secure messaging (src/contact/message*.c)
-- ---------------------------------------------------------------------

-- A thread between a patient (or their caregiver) and their care team
-- or a unit's inbox (unit_id). started_side: patient, staff.
-- first_reply_at: when the other side first answered (0 until then).
-- to_account: the professional the thread is with (the one the patient
-- chose, or the first to answer a thread to the team; 0 for none), who
-- is told of the patient's messages. messages: how many it holds (each
-- message's seq is its place in the thread, from 1).
CREATE TABLE message_thread (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	unit_id BIGINT NOT NULL DEFAULT 0,
	subject TEXT NOT NULL,
	started_by BIGINT NOT NULL,
	started_side TEXT NOT NULL,
	channel TEXT NOT NULL DEFAULT 'web',
	created_at BIGINT NOT NULL,
	first_reply_at BIGINT NOT NULL DEFAULT 0,
	last_message_at BIGINT NOT NULL,
	consultation_id BIGINT NOT NULL DEFAULT 0,
	closed_at BIGINT NOT NULL DEFAULT 0,
	to_account BIGINT NOT NULL DEFAULT 0,
	messages INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX message_thread_by_patient ON message_thread (patient_id, last_message_at);
CREATE INDEX message_thread_by_unit ON message_thread (org_id, unit_id, last_message_at);

CREATE TABLE message (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	thread_id BIGINT NOT NULL REFERENCES message_thread (id),
	patient_id BIGINT NOT NULL,
	author_id BIGINT NOT NULL,
	author_side TEXT NOT NULL,
	body TEXT NOT NULL,
	sent_at BIGINT NOT NULL,
	request_key TEXT NOT NULL,
	seq INTEGER NOT NULL DEFAULT 0,
	UNIQUE (org_id, request_key)
);
CREATE INDEX message_by_thread ON message (thread_id, sent_at);

-- How far each person has read a thread: up to message seq, as one of
-- side patient or staff.
CREATE TABLE message_read (
	thread_id BIGINT NOT NULL REFERENCES message_thread (id),
	account_id BIGINT NOT NULL,
	read_at BIGINT NOT NULL,
	seq INTEGER NOT NULL DEFAULT 0,
	side TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (thread_id, account_id)
);

-- A file attached to a message: its type as found in its content (not
-- its name), its size in bytes and its bytes in base64 (the store binds
-- text only; base64 keeps one portable column for both databases).
CREATE TABLE message_attachment (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	message_id BIGINT NOT NULL REFERENCES message (id),
	thread_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL,
	filename TEXT NOT NULL,
	mime TEXT NOT NULL,
	size_bytes BIGINT NOT NULL,
	data TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX message_attachment_by_message ON message_attachment (message_id);

-- Quick replies the organisation's staff keep for answers they give
-- often (removed_at: 0 while in use).
CREATE TABLE message_template (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	updated_by BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	removed_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX message_template_by_org ON message_template (org_id, removed_at);

-- ---------------------------------------------------------------------
-- Appointments (src/contact/appointment*.c)
-- ---------------------------------------------------------------------

-- What a unit allows patients to do themselves. min_notice_hours: the
-- least notice for booking or moving online; cancel_notice_hours: for
-- cancelling online (a cancellation within late_cancel_hours of the
-- start is recorded as late).
CREATE TABLE appointment_rule (
	unit_id BIGINT PRIMARY KEY REFERENCES unit (id),
	org_id BIGINT NOT NULL,
	book_ahead_days INTEGER NOT NULL DEFAULT 60,
	min_notice_hours INTEGER NOT NULL DEFAULT 24,
	late_cancel_hours INTEGER NOT NULL DEFAULT 24,
	reminder_hours INTEGER NOT NULL DEFAULT 24,
	patients_book INTEGER NOT NULL DEFAULT 1,
	cancel_notice_hours INTEGER NOT NULL DEFAULT 2,
	updated_at BIGINT NOT NULL
);

-- A professional's time. modality: in_person, phone, video; place (in
-- person) or link (video). status: open, booked, withdrawn.
CREATE TABLE appointment_slot (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	unit_id BIGINT NOT NULL,
	professional_id BIGINT NOT NULL REFERENCES account (id),
	starts_at BIGINT NOT NULL,
	ends_at BIGINT NOT NULL,
	modality TEXT NOT NULL,
	place TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'open',
	version INTEGER NOT NULL DEFAULT 1,
	link TEXT NOT NULL DEFAULT '',
	created_by BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX appointment_slot_by_unit ON appointment_slot (org_id, unit_id, starts_at);
CREATE INDEX appointment_slot_by_professional ON appointment_slot (professional_id, starts_at);

-- status: booked, cancelled, attended, no_show. late_cancel: cancelled
-- within the unit's late-cancellation window. channel: how it was
-- booked (web, phone, desk). A move changes the row in place (slot and
-- times; moved_count counts them), so the appointment keeps its id and
-- its link.
CREATE TABLE appointment (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	slot_id BIGINT NOT NULL REFERENCES appointment_slot (id),
	professional_id BIGINT NOT NULL,
	unit_id BIGINT NOT NULL,
	starts_at BIGINT NOT NULL,
	ends_at BIGINT NOT NULL,
	modality TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'booked',
	channel TEXT NOT NULL DEFAULT 'web',
	booked_by BIGINT NOT NULL,
	booked_at BIGINT NOT NULL,
	cancelled_by BIGINT NOT NULL DEFAULT 0,
	cancelled_at BIGINT NOT NULL DEFAULT 0,
	late_cancel INTEGER NOT NULL DEFAULT 0,
	consultation_id BIGINT NOT NULL DEFAULT 0,
	reminded_at BIGINT NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1,
	moved_count INTEGER NOT NULL DEFAULT 0,
	marked_by BIGINT NOT NULL DEFAULT 0,
	marked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX appointment_by_slot ON appointment (slot_id);
CREATE INDEX appointment_by_patient ON appointment (patient_id, starts_at);
CREATE INDEX appointment_by_time ON appointment (org_id, starts_at);

-- ---------------------------------------------------------------------
-- Notification outbox (src/contact/outbox*.c)
-- ---------------------------------------------------------------------

-- How a person wants to hear of new things. Quiet hours are minutes
-- from local midnight (start = end: none).
CREATE TABLE notification_pref (
	account_id BIGINT PRIMARY KEY REFERENCES account (id),
	org_id BIGINT NOT NULL,
	by_email INTEGER NOT NULL DEFAULT 1,
	by_sms INTEGER NOT NULL DEFAULT 0,
	phone TEXT NOT NULL DEFAULT '',
	quiet_start_min INTEGER NOT NULL DEFAULT 0,
	quiet_end_min INTEGER NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL
);

-- One notification to one address, written in the transaction of the
-- event that caused it. event: message, consultation, appointment,
-- reminder (never health details: the body is made from the event and
-- the link alone). status: pending, sent, dead, withdrawn (an event
-- undone before it was sent: a cancelled appointment's reminder). A worker takes a row by
-- setting claimed_until; attempts and next_at drive the backoff.
-- dead: given up after outbox_max_attempts (the dead-letter list an
-- administrator can try again); last_error never holds health data nor
-- secrets; last_attempt_at is when the last try ended.
CREATE TABLE outbox (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	account_id BIGINT NOT NULL,
	channel TEXT NOT NULL,
	address TEXT NOT NULL,
	event TEXT NOT NULL,
	link TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	next_at BIGINT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	claimed_until BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'pending',
	last_error TEXT NOT NULL DEFAULT '',
	sent_at BIGINT NOT NULL DEFAULT 0,
	last_attempt_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (status, next_at);
CREATE INDEX outbox_by_org ON outbox (org_id, status, created_at);
CREATE INDEX outbox_by_link ON outbox (link, event);

-- ---------------------------------------------------------------------
-- Touchpoint analytics (src/contact/journey*.c)
-- ---------------------------------------------------------------------

-- By organisation and time, covering what the analytics count (who,
-- how, which side), so a year of a unit is read from the index alone.
CREATE INDEX touchpoint_by_org ON touchpoint (org_id, at_ms, patient_id,
	channel, initiator_side);
-- The analytics read a period's requests and threads of an organisation
-- from these indexes alone, and whether a request ended in an
-- appointment.
CREATE INDEX consultation_analytics ON consultation (org_id, submitted_at,
	patient_id, kind, channel, status, outcome, first_response_at,
	closed_at, due_at, id);
CREATE INDEX message_thread_by_time ON message_thread (org_id, created_at,
	started_side, patient_id, channel, first_reply_at);
CREATE INDEX appointment_by_consultation ON appointment (consultation_id);
