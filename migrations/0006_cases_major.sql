ALTER TABLE "cases" ADD COLUMN "is_major" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "cases_parent_idx" ON "cases" USING btree ("parent_case_id");