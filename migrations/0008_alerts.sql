CREATE TYPE "public"."alert_side" AS ENUM('job', 'candidate');--> statement-breakpoint
CREATE TABLE "alert_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"alert_of" "alert_side" NOT NULL,
	"subject_id" uuid NOT NULL,
	"type" text NOT NULL,
	"job_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"score" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_pairs" (
	"workspace_id" uuid NOT NULL,
	"alert_of" "alert_side" NOT NULL,
	"job_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"score" double precision NOT NULL,
	CONSTRAINT "alert_pairs_job_id_candidate_id_alert_of_pk" PRIMARY KEY("job_id","candidate_id","alert_of")
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"side" "alert_side" NOT NULL,
	"job_id" uuid,
	"candidate_id" uuid,
	"min_score" double precision NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alerts_subject_check" CHECK (("alerts"."side" = 'job' and "alerts"."job_id" is not null and "alerts"."candidate_id" is null) or ("alerts"."side" = 'candidate' and "alerts"."candidate_id" is not null and "alerts"."job_id" is null)),
	CONSTRAINT "alerts_min_score_check" CHECK ("alerts"."min_score" between 0 and 1)
);
--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_pairs" ADD CONSTRAINT "alert_pairs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_events_subject_idx" ON "alert_events" USING btree ("subject_id","seq");--> statement-breakpoint
CREATE INDEX "alert_events_candidate_id_idx" ON "alert_events" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "alert_events_created_at_idx" ON "alert_events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "alert_pairs_candidate_id_idx" ON "alert_pairs" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "alerts_workspace_id_idx" ON "alerts" USING btree ("workspace_id","side");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_job_id_idx" ON "alerts" USING btree ("job_id");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_candidate_id_idx" ON "alerts" USING btree ("candidate_id");
