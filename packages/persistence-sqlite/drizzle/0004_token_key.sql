-- The copy into `__new_tokens` is written by hand: `token_key` is `tokenKeyBase` of
-- src/database/token-key.ts (the first 11 hex digits of the hash, times 256), plus the rank of
-- the hash among those sharing that base, so colliding hashes take the next free keys.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_tokens` (
	`token_key` integer PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`kind` text NOT NULL,
	`client_id` text NOT NULL,
	`session_id` text NOT NULL,
	`family_id` text NOT NULL,
	`scopes` text NOT NULL,
	`resource` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked` integer DEFAULT false NOT NULL,
	`consumed` integer DEFAULT false NOT NULL,
	`rotated_at` integer,
	`successor_hash` text
);
--> statement-breakpoint
INSERT INTO `__new_tokens`("token_key", "token_hash", "kind", "client_id", "session_id", "family_id", "scopes", "resource", "created_at", "expires_at", "revoked", "consumed", "rotated_at", "successor_hash")
SELECT "key_base" + row_number() OVER (PARTITION BY "key_base" ORDER BY "token_hash") - 1, "token_hash", "kind", "client_id", "session_id", "family_id", "scopes", "resource", "created_at", "expires_at", "revoked", "consumed", "rotated_at", "successor_hash"
FROM (SELECT
		(instr('0123456789abcdef', substr(`token_hash`, 1, 1)) - 1) * 281474976710656
		+ (instr('0123456789abcdef', substr(`token_hash`, 2, 1)) - 1) * 17592186044416
		+ (instr('0123456789abcdef', substr(`token_hash`, 3, 1)) - 1) * 1099511627776
		+ (instr('0123456789abcdef', substr(`token_hash`, 4, 1)) - 1) * 68719476736
		+ (instr('0123456789abcdef', substr(`token_hash`, 5, 1)) - 1) * 4294967296
		+ (instr('0123456789abcdef', substr(`token_hash`, 6, 1)) - 1) * 268435456
		+ (instr('0123456789abcdef', substr(`token_hash`, 7, 1)) - 1) * 16777216
		+ (instr('0123456789abcdef', substr(`token_hash`, 8, 1)) - 1) * 1048576
		+ (instr('0123456789abcdef', substr(`token_hash`, 9, 1)) - 1) * 65536
		+ (instr('0123456789abcdef', substr(`token_hash`, 10, 1)) - 1) * 4096
		+ (instr('0123456789abcdef', substr(`token_hash`, 11, 1)) - 1) * 256
		AS "key_base", * FROM `tokens`);--> statement-breakpoint
DROP TABLE `tokens`;--> statement-breakpoint
ALTER TABLE `__new_tokens` RENAME TO `tokens`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_token_hash` ON `tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `tokens_family_id` ON `tokens` (`family_id`);--> statement-breakpoint
CREATE INDEX `tokens_session_id` ON `tokens` (`session_id`);--> statement-breakpoint
CREATE INDEX `tokens_client_id` ON `tokens` (`client_id`);--> statement-breakpoint
CREATE INDEX `tokens_expires_at` ON `tokens` (`expires_at`);