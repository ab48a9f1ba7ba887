ALTER TABLE "alarm_rules" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "alarm_rules" ADD COLUMN "failed_at" timestamp with time zone;