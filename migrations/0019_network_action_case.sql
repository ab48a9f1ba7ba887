ALTER TABLE "network_actions" ADD COLUMN "case_id" bigint;--> statement-breakpoint
ALTER TABLE "network_actions" ADD COLUMN "case_number" text;