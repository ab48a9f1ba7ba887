import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { conflict } from '../../platform/errors.ts';
import { displayIccid } from './identifiers.ts';

export const SimsErrors = {
  notFound: 'sims.not_found',
  iccidInvalid: 'sims.iccid_invalid',
  imsiInvalid: 'sims.imsi_invalid',
  msisdnInvalid: 'sims.msisdn_invalid',
  imeiInvalid: 'sims.imei_invalid',
  imeiLockWithoutImei: 'sims.imei_lock_without_imei',
  eidInvalid: 'sims.eid_invalid',
  prefixInvalid: 'sims.prefix_invalid',
  iccidTaken: 'sims.iccid_taken',
  imsiTaken: 'sims.imsi_taken',
  msisdnTaken: 'sims.msisdn_taken',
  accountUnknown: 'sims.account_unknown',
  planUnavailable: 'sims.plan_unavailable',
  staffOnly: 'sims.staff_only',
  fieldForbidden: 'sims.field_forbidden',
  transitionNotAllowed: 'sims.transition_not_allowed',
  transitionForbidden: 'sims.transition_forbidden',
  cursorInvalid: 'sims.cursor_invalid',
  bulkUnknownIccids: 'sims.bulk_unknown_iccids',
  bulkRejected: 'sims.bulk_rejected',
  concurrentChange: 'sims.concurrent_change',
  customFieldsInvalid: 'sims.custom_fields_invalid',
  stateInvalid: 'sims.state_invalid',
} as const;

/** Maps a unique-index violation to the 409 that names the field (a race the pre-check did not see). */
export function duplicateFrom(e: unknown, v: { iccid?: string; msisdn?: string | null; imsis?: string[] }) {
  const hit = (field: string, code: string, value: unknown) =>
    conflict(code, `A SIM with ${field} ${String(value)} already exists`, [
      { field, value, reason: 'already used by another SIM' },
    ]);
  if (isUniqueViolation(e, 'sims_iccid_uq') && v.iccid)
    return hit('iccid', SimsErrors.iccidTaken, displayIccid(v.iccid));
  if (isUniqueViolation(e, 'sims_msisdn_uq')) return hit('msisdn', SimsErrors.msisdnTaken, v.msisdn);
  if (isUniqueViolation(e, 'sim_imsis_pkey')) return hit('imsis', SimsErrors.imsiTaken, v.imsis);
  return e;
}
