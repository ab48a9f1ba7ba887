export const CasesErrors = {
  notFound: 'cases.not_found',
  simsUnknown: 'cases.sims_unknown',
  transitionNotAllowed: 'cases.transition_not_allowed',
  transitionForbidden: 'cases.transition_forbidden',
  stateChanged: 'cases.state_changed',
  fieldForbidden: 'cases.field_forbidden',
  eventForbidden: 'cases.event_forbidden',
  cursorInvalid: 'cases.cursor_invalid',
  updateForbidden: 'cases.update_forbidden',
  priorityForbidden: 'cases.priority_forbidden',
} as const;
