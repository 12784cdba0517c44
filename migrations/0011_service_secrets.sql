-- Secrets every replica shares (the key that seals alert feed cursors), created by the first
-- process that needs one.
CREATE TABLE "service_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
