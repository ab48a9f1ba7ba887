ALTER TABLE "cases" ADD COLUMN "verification_extra_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "verification_extended_for" timestamp with time zone;