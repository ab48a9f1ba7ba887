export const AlarmsErrors = {
  notFound: 'alarms.not_found',
  staffOnly: 'alarms.staff_only',
  cursorInvalid: 'alarms.cursor_invalid',
} as const;
