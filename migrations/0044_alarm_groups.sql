ALTER TABLE "alarms" ADD COLUMN "parent_id" bigint;--> statement-breakpoint
CREATE INDEX "alarms_parent_idx" ON "alarms" USING btree ("parent_id") WHERE "alarms"."parent_id" is not null;