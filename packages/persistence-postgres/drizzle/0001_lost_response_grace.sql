ALTER TABLE "codes" ADD COLUMN "consumed_at" bigint;--> statement-breakpoint
ALTER TABLE "tokens" ADD COLUMN "rotated_at" bigint;--> statement-breakpoint
ALTER TABLE "tokens" ADD COLUMN "successor_hash" text;--> statement-breakpoint
CREATE INDEX "tokens_client_id_idx" ON "tokens" USING btree ("client_id");