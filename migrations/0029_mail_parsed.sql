ALTER TABLE "mail_messages" ADD COLUMN "parsed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "message_id" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "in_reply_to" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "references" text[];--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "from_address" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "from_name" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "subject" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "text_body" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "attachment_count" integer;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "automatic" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "parse_warning" text;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD COLUMN "duplicate_of" bigint;--> statement-breakpoint
CREATE INDEX "mail_messages_message_id_idx" ON "mail_messages" USING btree ("message_id");