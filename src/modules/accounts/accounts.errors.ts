export const AccountsErrors = {
  notFound: 'accounts.not_found',
  numberTaken: 'accounts.number_taken',
  parentNotFound: 'accounts.parent_not_found',
  rootForbidden: 'accounts.root_forbidden',
  cursorInvalid: 'accounts.cursor_invalid',
  contactNotFound: 'accounts.contact_not_found',
  contactUnreachable: 'accounts.contact_unreachable',
  vipTierForbidden: 'accounts.vip_tier_forbidden',
} as const;
