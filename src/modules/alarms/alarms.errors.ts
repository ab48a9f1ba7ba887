export const AlarmsErrors = {
  notFound: 'alarms.not_found',
  staffOnly: 'alarms.staff_only',
  cursorInvalid: 'alarms.cursor_invalid',
} as const;
export const RulesErrors = {
  notFound: 'alarms.rule_not_found',
  invalid: 'alarms.rule_invalid',
  nameTaken: 'alarms.rule_name_taken',
} as const;
