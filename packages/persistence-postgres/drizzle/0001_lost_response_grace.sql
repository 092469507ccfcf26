ALTER TABLE "codes" ADD COLUMN "consumed_at" bigint;--> statement-breakpoint
ALTER TABLE "tokens" ADD COLUMN "rotated_at" bigint;--> statement-breakpoint
ALTER TABLE "tokens" ADD COLUMN "successor_hash" text;