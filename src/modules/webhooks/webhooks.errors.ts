export const WebhooksErrors = {
  notFound: 'webhooks.not_found',
  deliveryNotFound: 'webhooks.delivery_not_found',
  urlRefused: 'webhooks.url_refused',
  eventTypeUnknown: 'webhooks.event_type_unknown',
  accountForbidden: 'webhooks.account_forbidden',
} as const;
