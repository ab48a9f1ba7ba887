-- Which side wrote each timeline entry. Existing rows are backfilled from their author's role.
ALTER TABLE "case_events" ADD COLUMN "author_side" text;--> statement-breakpoint
UPDATE "case_events" e SET "author_side" = CASE WHEN EXISTS (SELECT 1 FROM "users" u WHERE u."id" = e."author_user_id" AND u."role" = 'customer') THEN 'customer' ELSE 'staff' END;--> statement-breakpoint
ALTER TABLE "case_events" ALTER COLUMN "author_side" SET NOT NULL;
