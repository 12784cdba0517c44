DROP INDEX "answer_sets_workspace_id_idx";--> statement-breakpoint
CREATE INDEX "answer_sets_market_idx" ON "answer_sets" USING btree ("workspace_id","questionnaire_id","questionnaire_version");