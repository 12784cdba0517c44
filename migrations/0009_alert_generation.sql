CREATE SEQUENCE "public"."alert_generations" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "alert_generation" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Processes cache each workspace's alerting subjects (src/alerts/registry.ts) and reload them when
-- this number changes: every insert, update or delete of an alert (a subject's deletion cascading
-- to its alert too) gives the workspace a new one, in the same transaction. From a sequence, so a
-- number seen in a transaction that rolled back is never handed out again.
CREATE FUNCTION bump_alert_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE workspaces SET alert_generation = nextval('alert_generations')
   WHERE id IN (SELECT DISTINCT workspace_id FROM changed_rows);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER alerts_inserted AFTER INSERT ON alerts REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION bump_alert_generation();
--> statement-breakpoint
CREATE TRIGGER alerts_updated AFTER UPDATE ON alerts REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION bump_alert_generation();
--> statement-breakpoint
CREATE TRIGGER alerts_deleted AFTER DELETE ON alerts REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION bump_alert_generation();
