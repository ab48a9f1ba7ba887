export const MailErrors = {
  notFound: 'mail.not_found',
  staffOnly: 'mail.staff_only',
  notInTriage: 'mail.not_in_triage',
  caseNotFound: 'mail.case_not_found',
  accountNotFound: 'mail.account_not_found',
  noSender: 'mail.no_sender',
  noRelay: 'mail.no_relay',
  notResendable: 'mail.not_resendable',
  templateInvalid: 'mail.template_invalid',
} as const;
