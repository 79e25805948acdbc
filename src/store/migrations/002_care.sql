-- The co-produced care record: what matters to me, the shared care plan
-- (goals, actions, comments, reviews), the crisis plan, progress notes
-- (with the patient's view and correction requests), review
-- conversations, shared decisions and the plain-words list. Every
-- versioned part keeps each version in care_version, so the history and
-- the differences between versions come from stored rows.

-- One row per version of a versioned part: its fields after the change
-- (a JSON object), who made it, in which voice and what kind of change.
-- subject_type is 'matters', 'crisis', 'goal', 'action' or 'note';
-- subject_id is the patient's id for 'matters' and 'crisis'.
CREATE TABLE care_version (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	subject_type TEXT NOT NULL,
	subject_id BIGINT NOT NULL,
	version INTEGER NOT NULL,
	plan_version INTEGER NOT NULL DEFAULT 0,
	at_ms BIGINT NOT NULL,
	author_id BIGINT NOT NULL,
	voice TEXT NOT NULL,
	change TEXT NOT NULL,
	fields TEXT NOT NULL,
	comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX care_version_by_subject
	ON care_version (subject_type, subject_id, version);
CREATE INDEX care_version_by_patient
	ON care_version (patient_id, subject_type, plan_version);

-- "What matters to me", in the patient's words. A professional may write
-- it with the patient (voice 'patient', written_with_patient = 1); the
-- patient then confirms it (confirmed_ms).
CREATE TABLE what_matters (
	patient_id BIGINT PRIMARY KEY REFERENCES patient (id),
	org_id BIGINT NOT NULL,
	what_matters TEXT NOT NULL DEFAULT '',
	good_day TEXT NOT NULL DEFAULT '',
	strengths TEXT NOT NULL DEFAULT '',
	know_about_me TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL,
	updated_ms BIGINT NOT NULL,
	updated_by BIGINT NOT NULL,
	voice TEXT NOT NULL,
	written_with_patient INTEGER NOT NULL DEFAULT 0,
	confirmed_ms BIGINT NOT NULL DEFAULT 0
);

-- The plan's version goes up with every change to one of its goals or
-- actions, so "the plan as it was at version N" can be rebuilt.
CREATE TABLE care_plan (
	patient_id BIGINT PRIMARY KEY REFERENCES patient (id),
	org_id BIGINT NOT NULL,
	version INTEGER NOT NULL
);

-- Goals and actions. A goal: text (the patient's words), clinical
-- wording, a measurable sign of progress, a target date. An action:
-- text, its goal, an owner (kind 'patient', 'professional' or
-- 'caregiver', with the account of a named professional or caregiver), a
-- due or review date and a status. Agreement: who proposed it and which
-- sides agree now; a dispute names who disputed and why.
CREATE TABLE care_item (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	kind TEXT NOT NULL,
	goal_id BIGINT NOT NULL DEFAULT 0,
	position INTEGER NOT NULL,
	text TEXT NOT NULL,
	clinical TEXT NOT NULL DEFAULT '',
	progress_sign TEXT NOT NULL DEFAULT '',
	due_date TEXT NOT NULL DEFAULT '',
	owner_kind TEXT NOT NULL DEFAULT '',
	owner_id BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	proposed_by BIGINT NOT NULL,
	proposed_voice TEXT NOT NULL,
	patient_agreed INTEGER NOT NULL DEFAULT 0,
	professional_agreed INTEGER NOT NULL DEFAULT 0,
	disputed_by BIGINT NOT NULL DEFAULT 0,
	disputed_voice TEXT NOT NULL DEFAULT '',
	dispute_comment TEXT NOT NULL DEFAULT '',
	removed INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL,
	created_ms BIGINT NOT NULL,
	updated_ms BIGINT NOT NULL
);
CREATE INDEX care_item_by_patient ON care_item (patient_id, kind, position);

-- Comments on any part of the record (subject_type as in care_version,
-- plus 'decision').
CREATE TABLE care_comment (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	subject_type TEXT NOT NULL,
	subject_id BIGINT NOT NULL,
	at_ms BIGINT NOT NULL,
	author_id BIGINT NOT NULL,
	voice TEXT NOT NULL,
	body TEXT NOT NULL
);
CREATE INDEX care_comment_by_subject
	ON care_comment (subject_type, subject_id, at_ms);

-- A review of the plan: who took part (JSON array of {"id", "name",
-- "voice"}) and the plan versions it covered, so "what changed" is the
-- difference between them.
CREATE TABLE plan_review (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	at_ms BIGINT NOT NULL,
	recorded_by BIGINT NOT NULL,
	participants TEXT NOT NULL,
	patient_took_part INTEGER NOT NULL,
	professional_took_part INTEGER NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	from_version INTEGER NOT NULL,
	to_version INTEGER NOT NULL
);
CREATE INDEX plan_review_by_patient ON plan_review (patient_id, at_ms);

-- The crisis / safety plan: the Stanley-Brown sections and the crisis
-- preferences (an advance statement). One item per line in each.
CREATE TABLE crisis_plan (
	patient_id BIGINT PRIMARY KEY REFERENCES patient (id),
	org_id BIGINT NOT NULL,
	warning_signs TEXT NOT NULL DEFAULT '',
	coping TEXT NOT NULL DEFAULT '',
	distractions TEXT NOT NULL DEFAULT '',
	help_people TEXT NOT NULL DEFAULT '',
	professionals TEXT NOT NULL DEFAULT '',
	safe_environment TEXT NOT NULL DEFAULT '',
	reasons_for_living TEXT NOT NULL DEFAULT '',
	what_helps TEXT NOT NULL DEFAULT '',
	what_does_not_help TEXT NOT NULL DEFAULT '',
	who_to_contact TEXT NOT NULL DEFAULT '',
	treatment_preferences TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL,
	updated_ms BIGINT NOT NULL,
	updated_by BIGINT NOT NULL,
	voice TEXT NOT NULL
);

-- Progress notes. body is Markdown (checked before it is stored). A
-- co-written note keeps its paragraphs, each with its voice, in
-- note_paragraph and is saved only once the patient confirmed it. A note
-- not shared with the patient carries a reason code from a fixed list.
CREATE TABLE note (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	author_id BIGINT NOT NULL,
	written_ms BIGINT NOT NULL,
	updated_ms BIGINT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	cowritten INTEGER NOT NULL DEFAULT 0,
	shared INTEGER NOT NULL DEFAULT 1,
	withheld_reason TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL
);
CREATE INDEX note_by_patient ON note (patient_id, written_ms);

CREATE TABLE note_paragraph (
	note_id BIGINT NOT NULL REFERENCES note (id),
	position INTEGER NOT NULL,
	org_id BIGINT NOT NULL,
	voice TEXT NOT NULL,
	author_id BIGINT NOT NULL,
	body TEXT NOT NULL,
	PRIMARY KEY (note_id, position)
);

-- "My view" beside a note, by the patient (or a caregiver).
CREATE TABLE note_view (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	note_id BIGINT NOT NULL REFERENCES note (id),
	author_id BIGINT NOT NULL,
	voice TEXT NOT NULL,
	at_ms BIGINT NOT NULL,
	body TEXT NOT NULL
);
CREATE INDEX note_view_by_note ON note_view (note_id, at_ms);

-- A request to correct a note, and the author's answer: status 'open',
-- 'accepted' (the note was corrected) or 'explained'. Both stay.
CREATE TABLE note_amendment (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	note_id BIGINT NOT NULL REFERENCES note (id),
	requested_by BIGINT NOT NULL,
	requested_ms BIGINT NOT NULL,
	request TEXT NOT NULL,
	status TEXT NOT NULL,
	answered_by BIGINT NOT NULL DEFAULT 0,
	answered_ms BIGINT NOT NULL DEFAULT 0,
	answer TEXT NOT NULL DEFAULT ''
);
CREATE INDEX note_amendment_by_note ON note_amendment (note_id);
CREATE INDEX note_amendment_by_patient ON note_amendment (patient_id, status);

-- A structured review conversation (in the manner of DIALOG+): ratings
-- of life domains and treatment aspects on 1-7 with "more help wanted",
-- then up to three chosen areas with the four solution-focused steps.
-- Agreed actions become care_item rows with source 'review:<id>'.
-- status is 'rated' after the ratings, 'complete' once the chosen areas
-- are talked through (by completed_by, in completed_voice).
CREATE TABLE review_conversation (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	at_ms BIGINT NOT NULL,
	recorded_by BIGINT NOT NULL,
	voice TEXT NOT NULL,
	status TEXT NOT NULL,
	completed_ms BIGINT NOT NULL DEFAULT 0,
	completed_by BIGINT NOT NULL DEFAULT 0,
	completed_voice TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL
);
CREATE INDEX review_conversation_by_patient
	ON review_conversation (patient_id, at_ms);

CREATE TABLE review_rating (
	conversation_id BIGINT NOT NULL REFERENCES review_conversation (id),
	domain TEXT NOT NULL,
	org_id BIGINT NOT NULL,
	rating INTEGER NOT NULL,
	more_help INTEGER NOT NULL,
	PRIMARY KEY (conversation_id, domain)
);

CREATE TABLE review_focus (
	conversation_id BIGINT NOT NULL REFERENCES review_conversation (id),
	domain TEXT NOT NULL,
	org_id BIGINT NOT NULL,
	understanding TEXT NOT NULL DEFAULT '',
	looking_forward TEXT NOT NULL DEFAULT '',
	options TEXT NOT NULL DEFAULT '',
	agreed TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL DEFAULT 0,
	goal_id BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (conversation_id, domain)
);

-- Decision aids (option grids) kept by the organisation: options x the
-- questions patients ask, each cell a plain-words answer. options and
-- questions are JSON arrays of strings, cells a JSON array of rows.
CREATE TABLE decision_aid (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	title TEXT NOT NULL,
	options TEXT NOT NULL,
	questions TEXT NOT NULL,
	cells TEXT NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	active INTEGER NOT NULL DEFAULT 1,
	version INTEGER NOT NULL,
	updated_ms BIGINT NOT NULL,
	updated_by BIGINT NOT NULL
);
CREATE INDEX decision_aid_by_org ON decision_aid (org_id, title);

-- A shared decision: the aid, what matters most to the patient (JSON
-- array of question numbers), the options considered (JSON array of
-- option numbers), the choice (-1 while undecided), the reasons, who took
-- part (JSON as plan_review) and when to revisit. aid_snapshot keeps the
-- grid as it was shown (JSON {title, options, questions, cells, source,
-- version}), so the numbers keep their meaning when the aid is edited.
CREATE TABLE shared_decision (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	patient_id BIGINT NOT NULL REFERENCES patient (id),
	aid_id BIGINT NOT NULL REFERENCES decision_aid (id),
	aid_snapshot TEXT NOT NULL,
	at_ms BIGINT NOT NULL,
	recorded_by BIGINT NOT NULL,
	updated_by BIGINT NOT NULL,
	matters_most TEXT NOT NULL DEFAULT '[]',
	considered TEXT NOT NULL DEFAULT '[]',
	choice INTEGER NOT NULL DEFAULT -1,
	reasons TEXT NOT NULL DEFAULT '',
	participants TEXT NOT NULL DEFAULT '[]',
	revisit_date TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL,
	updated_ms BIGINT NOT NULL
);
CREATE INDEX shared_decision_by_patient ON shared_decision (patient_id, at_ms);

-- The organisation's own plain-words list: additions to the built-in
-- list, or (plain = '') a built-in term it does not want marked.
CREATE TABLE jargon (
	id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organisation (id),
	lang TEXT NOT NULL,
	term TEXT NOT NULL,
	plain TEXT NOT NULL,
	UNIQUE (org_id, lang, term)
);

-- The number to call in an emergency where the organisation works (999,
-- 112, 911...), shown on every crisis plan and pocket card.
ALTER TABLE organisation ADD COLUMN emergency_number TEXT NOT NULL
	DEFAULT '999';
