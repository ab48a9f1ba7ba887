-- Network events: append-only, partitioned by day of `ts` (hand-written: drizzle-kit cannot declare partitioning).
-- Day partitions are created ahead by the ingest writer (ingest/partitions.ts); the DEFAULT partition only takes
-- records older than the first day partition (late records from before iotops ran). Retention drops whole days.
-- tenant_id/account_id/sim_id are the SIM's at write time; null = orphan (no SIM with this ICCID yet), filled in
-- when the SIM is imported (reconciliation).
CREATE TABLE "network_events" (
	"ts" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"iccid" text NOT NULL,
	"sim_id" bigint,
	"tenant_id" bigint,
	"account_id" bigint,
	"type" text NOT NULL,
	"event_id" text,
	"imsi" text,
	"imei" text,
	"plmn" text,
	"rat" text,
	"apn" text,
	"session_id" text,
	"ip" text,
	"bytes_up" bigint,
	"bytes_down" bigint,
	"cause" smallint,
	"status" text,
	"seconds" integer
) PARTITION BY RANGE ("ts");
--> statement-breakpoint
CREATE TABLE "network_events_default" PARTITION OF "network_events" DEFAULT;
--> statement-breakpoint
-- One index serves both the trace (a SIM's events by time: its (iccid, ts) prefix) and idempotency: a
-- re-delivered record (same SIM, ts and id) is a duplicate. Records without an id never conflict (NULLs are
-- distinct). The partition key has to be part of a unique index on a partitioned table, hence ts in the key.
CREATE UNIQUE INDEX "network_events_trace_uq" ON "network_events" ("iccid", "ts", "event_id");
--> statement-breakpoint
CREATE INDEX "network_events_orphan_idx" ON "network_events" ("iccid") WHERE "tenant_id" IS NULL;
--> statement-breakpoint
-- Derived rows are updated in place by every event: room on the page keeps those updates HOT (no index writes).
ALTER TABLE "sim_network_state" SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE "data_sessions" SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE "sim_usage_hourly" SET (fillfactor = 70);
