DROP INDEX "cases_state_idx";--> statement-breakpoint
CREATE INDEX "cases_queue_state_idx" ON "cases" USING btree ("state","priority","created_at","id");