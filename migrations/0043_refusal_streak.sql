-- Refusal-burst rules gained a streak condition (refused N times in a row without being accepted). Rules saved
-- before it keep their behaviour: the streak is off for them, and says so in their params.
UPDATE "alarm_rules"
   SET "params" = "params" || '{"streak": null, "streakHours": 6}'::jsonb
 WHERE "kind" = 'refusal_burst' AND "params"->'streak' IS NULL;
