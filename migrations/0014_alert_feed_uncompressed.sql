-- A feed row's bytes are ids and scores: they do not compress, and trying (pglz, on every insert)
-- cost about a third of a bulk batch's feed insert. Stored out of line as they are.
ALTER TABLE "alert_feed" ALTER COLUMN "other_ids" SET STORAGE EXTERNAL, ALTER COLUMN "scores" SET STORAGE EXTERNAL;
