-- A patient's messages in time order, in every thread: the FHIR API's
-- Communication search (src/contact/message.c, message_search()).
CREATE INDEX message_by_patient ON message (patient_id, sent_at, id);
