ALTER TABLE "sim_audit" ADD COLUMN "reason" text;--> statement-breakpoint
CREATE INDEX "sims_tenant_iccid_idx" ON "sims" USING btree ("tenant_id","iccid");--> statement-breakpoint
CREATE INDEX "sims_created_idx" ON "sims" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "sims_updated_idx" ON "sims" USING btree ("updated_at","id");