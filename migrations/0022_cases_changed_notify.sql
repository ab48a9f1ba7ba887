-- The agent queue's page cache (CASE_QUEUE_CACHE_MS, src/modules/cases/case-queue.ts) is dropped on every change of
-- a case or of its SIMs, in every process, whoever wrote it (the API, the SLA worker, the CLI, another server): one
-- notification per statement, delivered at commit, to the processes that LISTEN on iotops_cases_changed.
CREATE FUNCTION iotops_cases_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('iotops_cases_changed', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER cases_changed_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cases
  FOR EACH STATEMENT EXECUTE FUNCTION iotops_cases_changed();
--> statement-breakpoint
CREATE TRIGGER case_sims_changed_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON case_sims
  FOR EACH STATEMENT EXECUTE FUNCTION iotops_cases_changed();
