export const AlarmsErrors = {
  notFound: 'alarms.not_found',
  staffOnly: 'alarms.staff_only',
  cursorInvalid: 'alarms.cursor_invalid',
  accountUnknown: 'alarms.account_unknown',
} as const;
export const RulesErrors = {
  notFound: 'alarms.rule_not_found',
  invalid: 'alarms.rule_invalid',
  nameTaken: 'alarms.rule_name_taken',
} as const;
export const AlarmSeriesErrors = {
  windowInvalid: 'alarms.series_window_invalid',
  bucketTooSmall: 'alarms.series_bucket_too_small',
  unavailable: 'alarms.series_unavailable',
} as const;
