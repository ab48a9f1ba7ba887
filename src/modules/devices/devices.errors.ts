export const DevicesErrors = {
  notFound: 'devices.not_found',
  modelNotFound: 'devices.model_not_found',
  modelUnavailable: 'devices.model_unavailable',
  modelNameTaken: 'devices.model_name_taken',
  externalIdTaken: 'devices.external_id_taken',
  accountUnknown: 'devices.account_unknown',
  simUnavailable: 'devices.sim_unavailable',
  cursorInvalid: 'devices.cursor_invalid',
  sharedModelStaffOnly: 'devices.shared_model_staff_only',
  modelNotYours: 'devices.model_not_yours',
  linkSpeedStaffOnly: 'devices.link_speed_staff_only',
} as const;
