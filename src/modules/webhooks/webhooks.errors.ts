export const WebhooksErrors = {
  notFound: 'webhooks.not_found',
  deliveryNotFound: 'webhooks.delivery_not_found',
  urlRefused: 'webhooks.url_refused',
  eventTypeStaffOnly: 'webhooks.event_type_staff_only',
  accountNotFound: 'webhooks.account_not_found',
  accountRequired: 'webhooks.account_required',
  limitReached: 'webhooks.limit_reached',
  urlTaken: 'webhooks.url_taken',
} as const;
