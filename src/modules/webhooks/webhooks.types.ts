/**
 * The webhook event types customers and staff subscribe to (docs/WEBHOOKS.md): a public, versioned name per kind of
 * message, each made from a domain event (src/events.ts) by the fan-out (webhooks.fanout.ts). `customers`: whether
 * a customer's subscription may receive it (a provider-wide one receives every type).
 */
export const WEBHOOK_EVENT_TYPES = {
  'case.opened': { customers: true, description: 'A case was opened (any channel).' },
  'case.state_changed': { customers: true, description: 'A case moved to another state; `from` and `to` say which.' },
  'case.public_update': {
    customers: true,
    description: 'A person added an entry the customer sees to a case: an update, a reply, a message.',
  },
  'sim.state_changed': {
    customers: true,
    description: "A SIM's lifecycle state moved (activated, deactivated, …); `from` and `to` say which.",
  },
  'sim.usage_threshold': {
    customers: true,
    description:
      "A SIM's data use this month reached 80 % or 100 % of its rate plan's allowance (per-SIM plans; found when the " +
      'day is rolled up, shortly after midnight UTC).',
  },
  'alarm.raised': {
    customers: true,
    description:
      "A SIM's alarm was raised the instant its condition became true (silence: it stopped talking for longer than " +
      'its own rhythm allows).',
  },
  'alarm.cleared': {
    customers: true,
    description: 'A SIM alarm was cleared: the SIM talked again, left service, or the desk cleared it.',
  },
  'usage.daily': {
    customers: true,
    description:
      "An account's usage of a UTC day is final: data up and down, SMS and voice, and how many SIMs used any.",
  },
  'diagnosis.completed': {
    customers: true,
    description: 'A many-SIM diagnosis you asked for ended: its status and how many SIMs have which root cause.',
  },
  'sims.imported': { customers: false, description: 'A SIM import committed new SIMs (staff only).' },
  'webhook.test': { customers: true, description: 'A test message sent on request (POST …/test).' },
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;
export const WEBHOOK_EVENT_TYPE_NAMES = Object.keys(WEBHOOK_EVENT_TYPES) as WebhookEventType[];
export const CUSTOMER_EVENT_TYPES = WEBHOOK_EVENT_TYPE_NAMES.filter((t) => WEBHOOK_EVENT_TYPES[t].customers);

/**
 * When attempt n+1 of a message follows a failed attempt n: 5 s, 1 min, 5 min, 30 min, 2 h, 6 h, 8 h, 8 h —
 * nine attempts over about 24 h (after the spec's advice and Svix's schedule), then the message is failed and
 * can be redelivered by hand.
 */
export const RETRY_SCHEDULE_MS = [5_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 28_800_000, 28_800_000];

/** A subscription whose messages keep failing is disabled after this many failed messages in a row… */
export const DISABLE_AFTER_FAILED_MESSAGES = 5;
