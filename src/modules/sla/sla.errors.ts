export const SlaErrors = {
  calendarInvalid: 'sla.calendar_invalid',
  priorityMatrixInvalid: 'sla.priority_matrix_invalid',
} as const;
