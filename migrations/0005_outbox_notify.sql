-- Wakes outbox relays at once (LISTEN hexabase_outbox); they also poll, so a missed notification only delays.
CREATE OR REPLACE FUNCTION hexabase_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hexabase_outbox', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER outbox_notify AFTER INSERT ON "outbox" FOR EACH STATEMENT EXECUTE FUNCTION hexabase_outbox_notify();
