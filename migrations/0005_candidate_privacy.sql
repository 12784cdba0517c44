ALTER TABLE "candidates" ADD COLUMN "paused" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "candidates" ADD COLUMN "hidden_from_employer_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
CREATE INDEX "candidates_hidden_from_employer_ids_idx" ON "candidates" USING gin ("hidden_from_employer_ids") WHERE cardinality("candidates"."hidden_from_employer_ids") > 0;