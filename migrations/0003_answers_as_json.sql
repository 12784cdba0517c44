-- Answers are a document written and read whole, never queried inside by SQL: `json` keeps the
-- text as sent (validated, not converted to jsonb's binary form), which makes bulk writes much
-- cheaper. The stale-index-row trigger compared answers with jsonb equality, which json lacks, so
-- it compares their text instead.
DROP TRIGGER answer_sets_stale_index_row ON answer_sets;
--> statement-breakpoint
ALTER TABLE "answer_sets" ALTER COLUMN "answers" SET DATA TYPE json USING "answers"::json;
--> statement-breakpoint
CREATE TRIGGER answer_sets_stale_index_row BEFORE UPDATE ON answer_sets FOR EACH ROW
  WHEN (NEW.answers::text IS DISTINCT FROM OLD.answers::text AND NEW.index_row IS NOT DISTINCT FROM OLD.index_row)
  EXECUTE FUNCTION drop_stale_index_row();
--> statement-breakpoint
-- lz4 compresses answers several times faster than the default pglz; a server built without it
-- keeps pglz.
DO $$
BEGIN
  ALTER TABLE answer_sets ALTER COLUMN answers SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 is not available; answers stay compressed with pglz';
END $$;
