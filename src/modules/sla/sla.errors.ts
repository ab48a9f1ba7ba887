export const SlaErrors = {
  calendarInvalid: 'sla.calendar_invalid',
  calendarNotFound: 'sla.calendar_not_found',
  calendarUnknown: 'sla.calendar_unknown',
  calendarNameTaken: 'sla.calendar_name_taken',
  policyNotFound: 'sla.policy_not_found',
  policyInvalid: 'sla.policy_invalid',
  policyNameTaken: 'sla.policy_name_taken',
  staffOnly: 'sla.staff_only',
  calendarInUse: 'sla.calendar_in_use',
  builtInKept: 'sla.built_in_kept',
} as const;
