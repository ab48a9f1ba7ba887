ALTER TABLE "communication_plans" ADD COLUMN "imei_lock" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "rate_plans" ADD COLUMN "overage_action" text DEFAULT 'charge' NOT NULL;--> statement-breakpoint
ALTER TABLE "rate_plans" ADD COLUMN "overage_throttle_kbps" integer;--> statement-breakpoint
ALTER TABLE "sims" ADD COLUMN "imei_lock" boolean DEFAULT false NOT NULL;