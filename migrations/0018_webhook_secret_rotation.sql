-- Webhook signing-secret rotation: the secret before the latest rotation, kept (as the current one is)
-- to sign beside it until previous_secret_expires_at. Nullable columns only: the release before, running
-- beside this one during a rolling upgrade (docs/operations.md#upgrades), neither reads nor needs them.
ALTER TABLE "webhook_subscriptions" ADD COLUMN "previous_secret" text;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "previous_secret_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "secret_rotated_at" timestamp with time zone;