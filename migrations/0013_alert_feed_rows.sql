CREATE TABLE "alert_feed" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"alert_of" "alert_side" NOT NULL,
	"subject_id" uuid NOT NULL,
	"other_ids" "bytea" NOT NULL,
	"scores" "bytea" NOT NULL,
	"removed" integer NOT NULL,
	"size" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_feed_size_check" CHECK ("alert_feed"."size" > 0 and octet_length("alert_feed"."other_ids") = 16 * "alert_feed"."size" and octet_length("alert_feed"."scores") = 8 * "alert_feed"."size" and "alert_feed"."removed" between 0 and "alert_feed"."size")
);
--> statement-breakpoint
CREATE TABLE "alert_mentions" (
	"workspace_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"first_seq" bigint NOT NULL,
	"last_seq" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_mentions_candidate_id_first_seq_pk" PRIMARY KEY("candidate_id","first_seq")
);
--> statement-breakpoint
ALTER TABLE "alert_feed" ADD CONSTRAINT "alert_feed_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_feed_subject_idx" ON "alert_feed" USING btree ("subject_id","seq");--> statement-breakpoint
CREATE INDEX "alert_feed_created_at_idx" ON "alert_feed" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "alert_mentions_created_at_idx" ON "alert_mentions" USING brin ("created_at");--> statement-breakpoint
INSERT INTO "alert_feed" ("seq", "workspace_id", "alert_of", "subject_id", "other_ids", "scores", "removed", "size", "created_at")
SELECT "seq", "workspace_id", "alert_of", "subject_id",
       uuid_send(CASE WHEN "alert_of" = 'job' THEN "candidate_id" ELSE "job_id" END),
       float8send(coalesce("score", 'NaN')), CASE WHEN "type" = 'match.removed' THEN 1 ELSE 0 END, 1, "created_at"
  FROM "alert_events";--> statement-breakpoint
INSERT INTO "alert_mentions" ("workspace_id", "candidate_id", "first_seq", "last_seq", "created_at")
SELECT "workspace_id", "candidate_id", "seq", "seq", "created_at" FROM "alert_events" WHERE "alert_of" = 'job';--> statement-breakpoint
SELECT setval(pg_get_serial_sequence('alert_feed', 'seq'),
              (SELECT greatest(coalesce(max("seq"), 0), (SELECT last_value FROM "alert_events_seq_seq")) + 1 FROM "alert_events"),
              false);--> statement-breakpoint
DROP TABLE "alert_events" CASCADE;