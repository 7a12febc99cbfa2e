-- Appointments read from an EHR over FHIR R4 (`external_id` is then
-- "Appointment/{id}"): the version of the Appointment as read (FHIR's
-- meta.versionId, opaque), and its patient's reference, for writing back.
ALTER TABLE appointments ADD COLUMN source_version TEXT;
ALTER TABLE appointments ADD COLUMN patient_ref TEXT;
