import { z } from 'zod';
import { WEBHOOK_EVENT_TYPE_NAMES } from './webhooks.types.ts';

const EventTypes = z
  .array(z.enum(['*', ...WEBHOOK_EVENT_TYPE_NAMES]))
  .min(1)
  .max(50)
  .describe("The event types to receive, or ['*'] for every type the owner may receive");

export const CreateSubscriptionBody = z
  .object({
    url: z.string().min(1).max(2000).describe('https:// URL the messages are POSTed to'),
    eventTypes: EventTypes,
    description: z.string().trim().max(500).default(''),
    accountId: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "The account whose events it receives (and its sub-accounts'). A customer: their account by default. " +
          'Staff: without it the subscription is provider-wide (every account)',
      ),
  })
  .meta({ id: 'CreateWebhookSubscriptionRequest' });
export type CreateSubscriptionInput = z.infer<typeof CreateSubscriptionBody>;

export const UpdateSubscriptionBody = z
  .object({
    url: z.string().min(1).max(2000).optional(),
    eventTypes: EventTypes.optional(),
    description: z.string().trim().max(500).optional(),
    enabled: z.boolean().optional().describe('true re-enables a subscription that was disabled for failing'),
  })
  .meta({ id: 'UpdateWebhookSubscriptionRequest' });
export type UpdateSubscriptionInput = z.infer<typeof UpdateSubscriptionBody>;

export const SubscriptionIdParams = z.object({ id: z.coerce.number().int().positive() });
export const DeliveryIdParams = z.object({
  id: z.coerce.number().int().positive(),
  deliveryId: z.coerce.number().int().positive(),
});

export const SubscriptionView = z
  .object({
    id: z.number().int(),
    accountId: z.number().int().nullable().describe('null: provider-wide (staff)'),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    previousSecretExpiresAt: z.string().nullable().describe('Until then the previous secret signs too (rotation)'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookSubscription' });

export const SubscriptionWithSecretView = SubscriptionView.extend({
  secret: z.string().describe('whsec_…: shown once, at creation and at rotation; verify signatures with it'),
}).meta({ id: 'WebhookSubscriptionWithSecret' });

export const SubscriptionList = z.object({ items: z.array(SubscriptionView) }).meta({ id: 'WebhookSubscriptionList' });

export const AttemptView = z.object({
  at: z.string(),
  statusCode: z.number().int().nullable().describe("The receiver's HTTP status; null when none came"),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  responseSnippet: z.string().nullable().describe("The first bytes of the receiver's answer"),
  manual: z.boolean().describe('A redelivery asked for by a person'),
});

export const DeliveryView = z
  .object({
    id: z.number().int(),
    messageId: z.string().describe('The webhook-id header: the same for every attempt of this message'),
    eventType: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    body: z.record(z.string(), z.unknown()).describe('The message as sent (signed) to the receiver'),
    attemptLog: z.array(AttemptView).optional().describe('Every attempt (one delivery only)'),
  })
  .meta({ id: 'WebhookDelivery' });

export const DeliveryPage = z
  .object({ items: z.array(DeliveryView), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryPage' });

export const DeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  // A delivery id: at most 15 digits, so it stays an exact number and a bigint (a 23-digit cursor answered 500).
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'a cursor from this list')
    .optional(),
});

/** The body of the action operations (rotate, test, redeliver): nothing, or `{}`. */
export const NoBody = z.object({}).strict().meta({ id: 'WebhookActionRequest' });
