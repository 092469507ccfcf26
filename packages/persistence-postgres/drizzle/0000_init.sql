CREATE TABLE "clients" (
	"client_id" text PRIMARY KEY NOT NULL,
	"client_secret_hash" text,
	"client_name" text NOT NULL,
	"redirect_uris" text[] NOT NULL,
	"grant_types" text[] NOT NULL,
	"response_types" text[] NOT NULL,
	"scopes" text[] NOT NULL,
	"token_endpoint_auth_method" text NOT NULL,
	"issued_at" bigint NOT NULL,
	"secret_expires_at" bigint NOT NULL,
	"metadata_json" text NOT NULL,
	CONSTRAINT "clients_token_endpoint_auth_method_check" CHECK ("clients"."token_endpoint_auth_method" in ('none', 'client_secret_post', 'client_secret_basic'))
);
--> statement-breakpoint
CREATE TABLE "codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"code_challenge" text NOT NULL,
	"scopes" text[] NOT NULL,
	"resource" text NOT NULL,
	"session_id" text NOT NULL,
	"family_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"consumed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "revoked_families" (
	"family_id" text PRIMARY KEY NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"session_id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"user_json" text NOT NULL,
	"upstream_sealed" "bytea" NOT NULL,
	"user_fetched_at" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"client_id" text NOT NULL,
	"session_id" text NOT NULL,
	"family_id" text NOT NULL,
	"scopes" text[] NOT NULL,
	"resource" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"revoked" boolean DEFAULT false NOT NULL,
	"consumed" boolean DEFAULT false NOT NULL,
	CONSTRAINT "tokens_kind_check" CHECK ("tokens"."kind" in ('access', 'refresh'))
);
--> statement-breakpoint
CREATE TABLE "transactions" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"code_challenge" text NOT NULL,
	"scopes" text[] NOT NULL,
	"resource" text NOT NULL,
	"client_state" text,
	"upstream_code_verifier_sealed" "bytea" NOT NULL,
	"browser_binding_hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "codes_expires_at_idx" ON "codes" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "revoked_families_expires_at_idx" ON "revoked_families" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "tokens_family_id_idx" ON "tokens" USING btree ("family_id");--> statement-breakpoint
CREATE INDEX "tokens_session_id_idx" ON "tokens" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "tokens_expires_at_idx" ON "tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "transactions_expires_at_idx" ON "transactions" USING btree ("expires_at");