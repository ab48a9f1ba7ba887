import type { z } from 'zod';
import type { AttemptRow, DeliveryRow, SubscriptionRow } from './webhooks.repo.ts';
import type { AttemptView, DeliveryView, SubscriptionView, SubscriptionWithSecretView } from './webhooks.schemas.ts';

/** Never the secret: it is shown once, by presentWithSecret. */
export function presentSubscription(s: SubscriptionRow): z.infer<typeof SubscriptionView> {
  return {
    id: s.id,
    accountId: s.accountId,
    url: s.url,
    description: s.description,
    eventTypes: s.eventTypes,
    enabled: s.enabled,
    disabledReason: s.disabledReason,
    previousSecretExpiresAt: s.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export const presentWithSecret = (s: SubscriptionRow): z.infer<typeof SubscriptionWithSecretView> => ({
  ...presentSubscription(s),
  secret: s.secret,
});

const presentAttempt = (a: AttemptRow): z.infer<typeof AttemptView> => ({
  at: a.at.toISOString(),
  statusCode: a.statusCode,
  error: a.error,
  durationMs: a.durationMs,
  responseSnippet: a.responseSnippet,
  manual: a.manual,
});

export function presentDelivery(d: DeliveryRow, attempts?: readonly AttemptRow[]): z.infer<typeof DeliveryView> {
  return {
    id: d.id,
    messageId: d.messageId,
    eventType: d.eventType,
    status: d.status as z.infer<typeof DeliveryView>['status'],
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    body: d.body as Record<string, unknown>,
    ...(attempts ? { attemptLog: attempts.map(presentAttempt) } : {}),
  };
}
