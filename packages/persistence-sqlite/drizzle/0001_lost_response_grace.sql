ALTER TABLE `codes` ADD `consumed_at` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `rotated_at` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `successor_hash` text;--> statement-breakpoint
CREATE INDEX `tokens_client_id` ON `tokens` (`client_id`);