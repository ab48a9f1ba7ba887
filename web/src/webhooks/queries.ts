import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';

/**
 * Webhook endpoints (subscriptions) and their delivery logs: the console's and the portal's screens share these, the
 * server scoping what each caller sees (a customer: their account's; staff: every one).
 */
export type Subscription = Schemas['WebhookSubscription'];
export type Delivery = Schemas['WebhookDelivery'];
export type EventType = Schemas['CreateWebhookSubscriptionRequestInput']['eventTypes'][number];

export const webhookKeys = {
  all: ['webhooks'] as const,
  eventTypes: ['webhooks', 'event-types'] as const,
  list: ['webhooks', 'subscriptions'] as const,
  one: (id: number) => ['webhooks', 'subscriptions', id] as const,
  deliveries: (id: number) => ['webhooks', 'subscriptions', id, 'deliveries'] as const,
  delivery: (id: number, deliveryId: number) => ['webhooks', 'subscriptions', id, 'deliveries', 'one', deliveryId],
};

const path = (id: number) => ({ params: { path: { id } } });

/** The types a subscription may name; they change only with a release. */
export const useEventTypes = () =>
  useQuery({
    queryKey: webhookKeys.eventTypes,
    queryFn: () => unwrap(api.GET('/api/v1/webhooks/event-types')),
    staleTime: Number.POSITIVE_INFINITY,
  });

export const useSubscriptions = () =>
  useQuery({
    queryKey: webhookKeys.list,
    queryFn: () => unwrap(api.GET('/api/v1/webhooks/subscriptions')),
    // The delivery worker disables an endpoint that keeps failing: the list shows it without a reload.
    refetchInterval: 30_000,
  });

export const useSubscription = (id: number) =>
  useQuery({
    queryKey: webhookKeys.one(id),
    queryFn: () => unwrap(api.GET('/api/v1/webhooks/subscriptions/{id}', path(id))),
    refetchInterval: 30_000,
  });

export const DELIVERIES_PAGE = 25;
/**
 * One page of the log, newest first. While a message is still pending (the worker delivers within seconds, retries
 * over hours) the page is asked again every 3 s, so its outcome shows without a reload; otherwise every 30 s.
 */
export const useDeliveries = (id: number, cursor: string | undefined) =>
  useQuery({
    queryKey: [...webhookKeys.deliveries(id), cursor ?? null],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/webhooks/subscriptions/{id}/deliveries', {
          params: { path: { id }, query: { limit: DELIVERIES_PAGE, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((d) => isInFlight(d)) ? 3_000 : 30_000),
  });

/** A message whose next attempt is due soon: worth watching closely (a retry hours away is not). */
const isInFlight = (d: Delivery) =>
  d.status === 'pending' && (!d.nextAttemptAt || new Date(d.nextAttemptAt).getTime() - Date.now() < 120_000);

export const useDelivery = (id: number, deliveryId: number | null) =>
  useQuery({
    queryKey: webhookKeys.delivery(id, deliveryId ?? 0),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/webhooks/subscriptions/{id}/deliveries/{deliveryId}', {
          params: { path: { id, deliveryId: deliveryId ?? 0 } },
        }),
      ),
    enabled: deliveryId !== null,
    refetchInterval: (q) => (q.state.data && isInFlight(q.state.data) ? 3_000 : false),
  });

/** A change to webhooks: refresh every webhook query (lists, one endpoint, its log) once the server has it. */
function useWebhookChange<V, R>(mutationFn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.list }),
  });
}

export const useCreateSubscription = () =>
  useWebhookChange((body: Schemas['CreateWebhookSubscriptionRequestInput']) =>
    unwrap(api.POST('/api/v1/webhooks/subscriptions', { body })),
  );
export const useUpdateSubscription = () =>
  useWebhookChange((v: { id: number; body: Schemas['UpdateWebhookSubscriptionRequestInput'] }) =>
    unwrap(api.PATCH('/api/v1/webhooks/subscriptions/{id}', { ...path(v.id), body: v.body })),
  );
export const useDeleteSubscription = () =>
  useWebhookChange((id: number) => unwrap(api.DELETE('/api/v1/webhooks/subscriptions/{id}', path(id))));
export const useRotateSecret = () =>
  useWebhookChange((id: number) =>
    unwrap(api.POST('/api/v1/webhooks/subscriptions/{id}/rotate-secret', { ...path(id), body: {} })),
  );
export const useSendTest = () =>
  useWebhookChange((id: number) =>
    unwrap(api.POST('/api/v1/webhooks/subscriptions/{id}/test', { ...path(id), body: {} })),
  );
export const useRedeliver = () =>
  useWebhookChange((v: { id: number; deliveryId: number }) =>
    unwrap(
      api.POST('/api/v1/webhooks/subscriptions/{id}/deliveries/{deliveryId}/redeliver', {
        params: { path: { id: v.id, deliveryId: v.deliveryId } },
        body: {},
      }),
    ),
  );
