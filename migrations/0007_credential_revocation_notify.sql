-- Processes cache API keys and session tokens (src/auth/credential-cache.ts). Whatever ends or
-- changes one — a revocation, a deleted session, an employer's or candidate's deletion cascading to
-- their keys — tells every process at commit, so each drops it from its cache at once.
CREATE FUNCTION notify_api_key_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mutualfit_credentials', 'key:' || id) FROM changed_rows;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION notify_session_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- An expired session is refused by every cache on its own: the hourly purge tells nobody.
  PERFORM pg_notify('mutualfit_credentials', 'session:' || id) FROM changed_rows WHERE expires_at > now();
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER api_keys_updated AFTER UPDATE ON api_keys REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_api_key_changes();
--> statement-breakpoint
CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_api_key_changes();
--> statement-breakpoint
CREATE TRIGGER sessions_updated AFTER UPDATE ON sessions REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_session_changes();
--> statement-breakpoint
CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_session_changes();
