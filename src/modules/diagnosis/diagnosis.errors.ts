export const DiagnosisErrors = {
  jobNotFound: 'diagnosis.job_not_found',
  tooManySims: 'diagnosis.too_many_sims',
  noSims: 'diagnosis.no_sims',
  iccidUnknown: 'diagnosis.iccid_unknown',
  cursorInvalid: 'diagnosis.cursor_invalid',
  staffOnly: 'diagnosis.staff_only',
  caseWithoutSims: 'diagnosis.case_without_sims',
} as const;
