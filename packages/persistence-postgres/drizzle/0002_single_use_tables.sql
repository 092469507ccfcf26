-- IF NOT EXISTS (added by hand): releases before this migration created these tables at start-up.
CREATE TABLE IF NOT EXISTS "rate_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"reset_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "single_use" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"expires_at" bigint NOT NULL,
	CONSTRAINT "single_use_pkey" PRIMARY KEY("kind","key")
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "single_use_key" ON "single_use" USING btree ("key");