DROP INDEX "cases_queue_idx";--> statement-breakpoint
DROP INDEX "cases_queue_state_idx";--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "sla_due_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "cases_queue_idx" ON "cases" USING btree ("priority",coalesce("sla_due_at", 'infinity'::timestamptz),"created_at","id");--> statement-breakpoint
CREATE INDEX "cases_queue_state_idx" ON "cases" USING btree ("state","priority",coalesce("sla_due_at", 'infinity'::timestamptz),"created_at","id");