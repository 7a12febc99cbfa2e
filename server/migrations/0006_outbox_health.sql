-- What a kiosk's outbox holds that staff must see: entries the server
-- refused (kept on the device), and whether it can store new ones at all.
ALTER TABLE devices ADD COLUMN outbox_parked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN storage_failed INTEGER NOT NULL DEFAULT 0;
