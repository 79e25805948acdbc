-- A page of one patient's readings of every kind in time order (the FHIR
-- API's Observation search): read from this index in order, instead of
-- sorting all of the patient's readings for each page (43,000 readings:
-- 28 ms of CPU a page before, bench/RESULTS.md).
CREATE INDEX reading_by_patient_time ON reading (patient_id, at_ms, id);
