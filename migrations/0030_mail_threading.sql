ALTER TABLE "mail_messages" ADD COLUMN "recipients" text[];--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "threaded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "thread_rule" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "case_id" bigint;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "contact_id" bigint;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "triage_reason" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "refused_case_id" bigint;--> statement-breakpoint
CREATE INDEX "contacts_email_idx" ON "contacts" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "mail_messages_case_idx" ON "mail_messages" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "mail_messages_triage_idx" ON "mail_messages" USING btree ("received_at","id") WHERE thread_rule = 'triage';--> statement-breakpoint
CREATE INDEX "mail_messages_sender_idx" ON "mail_messages" USING btree ("from_address","received_at");