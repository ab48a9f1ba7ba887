export const CatalogErrors = {
  communicationPlanNotFound: 'catalog.communication_plan_not_found',
  ratePlanNotFound: 'catalog.rate_plan_not_found',
  planNameTaken: 'catalog.plan_name_taken',
  accountNotFound: 'catalog.account_not_found',
  staffOnly: 'catalog.staff_only',
  apnRequired: 'catalog.apn_required',
  cursorInvalid: 'catalog.cursor_invalid',
  planInUse: 'catalog.plan_in_use',
  overageThrottleRate: 'catalog.overage_throttle_rate',
  importInvalid: 'catalog.import_invalid',
} as const;
