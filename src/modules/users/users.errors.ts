export const UsersErrors = {
  loginFailed: 'auth.login_failed',
  /** 429: too many failed logins for the account or from the address; Retry-After says when to try again. */
  loginThrottled: 'auth.throttled',
  /** 429: the account is locked after repeated failures (expires, or an admin unlocks it). */
  loginLocked: 'auth.locked',
  passwordWrong: 'auth.password_wrong',
  emailTaken: 'users.email_taken',
  accountRequired: 'users.account_required',
  accountNotAllowed: 'users.account_not_allowed',
  scopeNotAllowed: 'tokens.scope_not_allowed',
  scopeNotHeld: 'tokens.scope_not_held',
  tokenNotFound: 'tokens.not_found',
  userNotFound: 'users.not_found',
  staffOnly: 'users.staff_only',
  roleChangeNotAllowed: 'users.role_change_not_allowed',
  selfLockout: 'users.self_lockout',
} as const;
