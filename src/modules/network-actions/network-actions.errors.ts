export const NetworkActionsErrors = {
  notFound: 'network_actions.not_found',
  /** Editing a communication plan changes it for every SIM on it: the provider's call (as PATCH on the plan). */
  planEditStaffOnly: 'network_actions.plan_edit_staff_only',
  noPlan: 'network_actions.no_communication_plan',
  caseNotFound: 'network_actions.case_not_found',
  /** The case is another customer's than the SIM's: its timeline is no place for this SIM. */
  caseOtherCustomer: 'network_actions.case_other_customer',
} as const;
