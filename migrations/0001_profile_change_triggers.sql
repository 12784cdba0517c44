-- The change feed: every insert, update or delete of a job, a candidate or an answer set records
-- which profile changed, in the same transaction, and wakes listeners with NOTIFY (delivered at
-- commit). Statement-level triggers with transition tables: one INSERT … SELECT per statement, so
-- bulk writes do not pay a trigger call per row.
CREATE FUNCTION record_job_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO profile_changes (workspace_id, side, profile_id, origin)
    SELECT workspace_id, 'job', id, nullif(current_setting('mutualfit.origin', true), '') FROM changed_rows;
  PERFORM pg_notify('mutualfit_profile_changes', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION record_candidate_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO profile_changes (workspace_id, side, profile_id, origin)
    SELECT workspace_id, 'candidate', id, nullif(current_setting('mutualfit.origin', true), '') FROM changed_rows;
  PERFORM pg_notify('mutualfit_profile_changes', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION record_answer_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO profile_changes (workspace_id, side, profile_id, origin)
    SELECT workspace_id,
           CASE WHEN job_id IS NOT NULL THEN 'job' ELSE 'candidate' END,
           COALESCE(job_id, candidate_id),
           nullif(current_setting('mutualfit.origin', true), '')
      FROM changed_rows;
  PERFORM pg_notify('mutualfit_profile_changes', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER jobs_inserted AFTER INSERT ON jobs REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_job_changes();
--> statement-breakpoint
CREATE TRIGGER jobs_updated AFTER UPDATE ON jobs REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_job_changes();
--> statement-breakpoint
CREATE TRIGGER jobs_deleted AFTER DELETE ON jobs REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_job_changes();
--> statement-breakpoint
CREATE TRIGGER candidates_inserted AFTER INSERT ON candidates REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_candidate_changes();
--> statement-breakpoint
CREATE TRIGGER candidates_updated AFTER UPDATE ON candidates REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_candidate_changes();
--> statement-breakpoint
CREATE TRIGGER candidates_deleted AFTER DELETE ON candidates REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_candidate_changes();
--> statement-breakpoint
CREATE TRIGGER answer_sets_inserted AFTER INSERT ON answer_sets REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_answer_changes();
--> statement-breakpoint
CREATE TRIGGER answer_sets_updated AFTER UPDATE ON answer_sets REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_answer_changes();
--> statement-breakpoint
CREATE TRIGGER answer_sets_deleted AFTER DELETE ON answer_sets REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_answer_changes();
--> statement-breakpoint
-- index_row is derived from answers by the application; an update that changes the answers
-- without a fresh index_row (a hand-written SQL fix, say) drops it, so the index rebuilds the row
-- from the answers instead of trusting a stale one.
CREATE FUNCTION drop_stale_index_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.index_row := NULL;
  NEW.index_layout := NULL;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER answer_sets_stale_index_row BEFORE UPDATE ON answer_sets FOR EACH ROW
  WHEN (NEW.answers IS DISTINCT FROM OLD.answers AND NEW.index_row IS NOT DISTINCT FROM OLD.index_row)
  EXECUTE FUNCTION drop_stale_index_row();
