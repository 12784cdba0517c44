-- Rows that belong to a profile (its answers, a candidate's contact) keep no foreign key to the
-- workspace of their own: the profile's key, cascading from the workspace, covers them, and a bulk
-- write then checks one key less per row.
ALTER TABLE "answer_sets" DROP CONSTRAINT "answer_sets_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "candidate_contacts" DROP CONSTRAINT "candidate_contacts_workspace_id_workspaces_id_fk";
--> statement-breakpoint
-- One change-feed row per profile for a bulk write: its answers follow the profiles' own upsert in
-- the same transaction, which already put every one of those profiles in the feed, and the writer
-- says so with mutualfit.profiles_recorded (set before, cleared after), so no second row is written.
CREATE OR REPLACE FUNCTION record_answer_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('mutualfit.profiles_recorded', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO profile_changes (workspace_id, side, profile_id, origin)
    SELECT workspace_id,
           CASE WHEN job_id IS NOT NULL THEN 'job' ELSE 'candidate' END,
           COALESCE(job_id, candidate_id),
           nullif(current_setting('mutualfit.origin', true), '')
      FROM changed_rows;
  PERFORM pg_notify('mutualfit_profile_changes', '');
  RETURN NULL;
END $$;
