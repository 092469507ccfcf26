ALTER TABLE `codes` ADD `consumed_at` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `rotated_at` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `successor_hash` text;