-- record_listings (migrations/0016), saying also whether the subject has answered a questionnaire:
-- a listing of a subject without answers answers 409 no_answers and is not recorded, as a paused
-- candidate's is not. The answer sets are probed only for a subject the index did not rank (the
-- listing sends no questionnaire then): one the index ranked has answers, so the hot path reads
-- nothing more. A new function beside the old one, which replicas of the release before keep
-- calling during a rolling upgrade (docs/operations.md#upgrades); a later release drops it.
CREATE FUNCTION record_listings_answered(input jsonb)
  RETURNS TABLE (listing int, subject_found boolean, subject_paused boolean, subject_answered boolean,
                 workspace_method text, kept jsonb)
  LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtextextended('mutualfit.erasure:' || g.w, 0))
     FROM (SELECT DISTINCT e->>'workspace_id' AS w FROM jsonb_array_elements(input) e ORDER BY 1) g;
  RETURN QUERY
    WITH req AS (
      SELECT * FROM jsonb_to_recordset(input) AS r(
        n int, id uuid, workspace_id uuid, actor_role text, actor_key_id uuid, action text, side text,
        subject_id uuid, owner uuid, method text, questionnaire_id text, questionnaire_version smallint,
        listed jsonb)
    ), checked AS (
      SELECT r.*, w.score_method::text AS score_method, s.subject_id IS NOT NULL AS is_found,
             coalesce(s.paused, false) AS is_paused,
             CASE WHEN r.questionnaire_id IS NOT NULL THEN true
                  WHEN s.subject_id IS NULL THEN false
                  WHEN r.side = 'job' THEN EXISTS (SELECT 1 FROM answer_sets a WHERE a.job_id = r.subject_id)
                  ELSE EXISTS (SELECT 1 FROM answer_sets a WHERE a.candidate_id = r.subject_id) END
               AS is_answered
        FROM req r
        LEFT JOIN workspaces w ON w.id = r.workspace_id
        LEFT JOIN LATERAL (
          SELECT j.id AS subject_id, false AS paused FROM jobs j
           WHERE r.side = 'job' AND j.workspace_id = r.workspace_id AND j.id = r.subject_id
             AND (r.owner IS NULL OR j.employer_id = r.owner)
          UNION ALL
          SELECT c.id, c.paused FROM candidates c
           WHERE r.side = 'candidate' AND c.workspace_id = r.workspace_id AND c.id = r.subject_id
        ) s ON true
    ), inserted AS (
      INSERT INTO audit_events AS a (id, workspace_id, actor_role, actor_key_id, action, subject_id,
                                     questionnaire_id, questionnaire_version, result_ids)
      SELECT c.id, c.workspace_id, c.actor_role, c.actor_key_id, c.action, c.subject_id,
             c.questionnaire_id, c.questionnaire_version,
             coalesce((SELECT jsonb_agg(l.id ORDER BY l.k)
                         FROM jsonb_array_elements_text(c.listed) WITH ORDINALITY AS l(id, k)
                        WHERE CASE WHEN c.side = 'job'
                          THEN EXISTS (SELECT 1 FROM candidates p
                                        WHERE p.workspace_id = c.workspace_id AND p.id = l.id::uuid)
                          ELSE EXISTS (SELECT 1 FROM jobs p
                                        WHERE p.workspace_id = c.workspace_id AND p.id = l.id::uuid
                                          AND p.status = 'open') END), '[]'::jsonb)
        FROM checked c
       WHERE c.is_found AND NOT c.is_paused AND c.is_answered AND c.score_method = c.method
      RETURNING a.id, a.result_ids
    )
    SELECT c.n, c.is_found, c.is_paused, c.is_answered, c.score_method, i.result_ids
      FROM checked c LEFT JOIN inserted i ON i.id = c.id;
END $$;
