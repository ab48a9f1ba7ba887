ALTER TABLE "cases" ADD COLUMN "computed_priority" text DEFAULT 'P3' NOT NULL;--> statement-breakpoint
-- Priorities are P1–P4 now (the matrix in src/modules/sla/priority.ts); existing rows keep what they had as computed.
UPDATE "cases" SET "priority" = 'P4' WHERE "priority" = 'P5';--> statement-breakpoint
UPDATE "cases" SET "computed_priority" = "priority";
