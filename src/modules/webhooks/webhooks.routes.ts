import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentDelivery, presentSubscription, presentWithSecret } from './webhooks.presenter.ts';
import {
  CreateSubscriptionBody,
  DeliveriesQuery,
  DeliveryIdParams,
  DeliveryPage,
  DeliveryView,
  NoBody,
  SubscriptionIdParams,
  SubscriptionList,
  SubscriptionView,
  SubscriptionWithSecretView,
  UpdateSubscriptionBody,
} from './webhooks.schemas.ts';
import type { WebhooksService } from './webhooks.service.ts';
import { WEBHOOK_EVENT_TYPES } from './webhooks.types.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['webhooks'];
const base = '/api/v1/webhooks/subscriptions';

const EventTypeList = z
  .object({
    items: z.array(z.object({ type: z.string(), customers: z.boolean(), description: z.string() })),
  })
  .meta({ id: 'WebhookEventTypeList' });

export function webhooksRoutes(webhooks: WebhooksService) {
  return (app: App) => {
    app.get(
      '/api/v1/webhooks/event-types',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listWebhookEventTypes',
          summary: 'List the webhook event types',
          description: 'What a subscription can receive; `customers: false` types are for provider-wide ones only.',
          response: { 200: EventTypeList, ...errors },
        },
      },
      async () => ({
        items: Object.entries(WEBHOOK_EVENT_TYPES).map(([type, t]) => ({ type, ...t })),
      }),
    );
    app.post(
      base,
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createWebhookSubscription',
          summary: 'Subscribe a URL to events',
          description:
            'Answers the subscription with its signing secret (shown this once). A customer subscribes their account ' +
            '(or one below it) to the customer event types; staff may subscribe provider-wide. The URL must be https ' +
            'and reach a public address (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOW_CIDRS relax this).',
          body: CreateSubscriptionBody,
          response: { 201: SubscriptionWithSecretView, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(presentWithSecret(await webhooks.create(principalOf(req), req.body))),
    );
    app.get(
      base,
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listWebhookSubscriptions',
          summary: 'List webhook subscriptions',
          description: "The caller's: a customer's account and those below it; staff see every one.",
          response: { 200: SubscriptionList, ...errors },
        },
      },
      async (req) => ({ items: (await webhooks.list(principalOf(req))).map(presentSubscription) }),
    );
    app.get(
      `${base}/:id`,
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getWebhookSubscription',
          summary: 'Get a webhook subscription',
          params: SubscriptionIdParams,
          response: { 200: SubscriptionView, ...errors },
        },
      },
      async (req) => presentSubscription(await webhooks.get(principalOf(req), req.params.id)),
    );
    app.patch(
      `${base}/:id`,
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateWebhookSubscription',
          summary: 'Change, disable or re-enable a webhook subscription',
          params: SubscriptionIdParams,
          body: UpdateSubscriptionBody,
          response: { 200: SubscriptionView, ...errors },
        },
      },
      async (req) => presentSubscription(await webhooks.update(principalOf(req), req.params.id, req.body)),
    );
    app.delete(
      `${base}/:id`,
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'deleteWebhookSubscription',
          summary: 'Delete a webhook subscription and its delivery log',
          params: SubscriptionIdParams,
          response: { 204: z.null().describe('Deleted'), ...errors },
        },
      },
      async (req, reply) => {
        await webhooks.remove(principalOf(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.post(
      `${base}/:id/rotate-secret`,
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'rotateWebhookSecret',
          summary: 'Rotate the signing secret',
          description:
            'Answers the new secret (shown this once). For 24 h messages carry signatures by both the new and the ' +
            'previous secret, so a receiver can switch without losing one.',
          params: SubscriptionIdParams,
          body: NoBody.nullish().describe('Optional: nothing to send'),
          response: { 200: SubscriptionWithSecretView, ...errors },
        },
      },
      async (req) => presentWithSecret(await webhooks.rotateSecret(principalOf(req), req.params.id)),
    );
    app.post(
      `${base}/:id/test`,
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'testWebhookSubscription',
          summary: 'Send a test message',
          description: 'A `webhook.test` message, delivered and logged like any other.',
          params: SubscriptionIdParams,
          body: NoBody.nullish().describe('Optional: nothing to send'),
          response: { 202: DeliveryView, ...errors },
        },
      },
      async (req, reply) => reply.code(202).send(presentDelivery(await webhooks.test(principalOf(req), req.params.id))),
    );
    app.get(
      `${base}/:id/deliveries`,
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listWebhookDeliveries',
          summary: 'List the messages sent to a subscription',
          description: 'Newest first: each message with its state, attempts and last answer.',
          params: SubscriptionIdParams,
          querystring: DeliveriesQuery,
          response: { 200: DeliveryPage, ...errors },
        },
      },
      async (req) => {
        const page = await webhooks.deliveries(principalOf(req), req.params.id, req.query);
        return { items: page.items.map((d) => presentDelivery(d)), nextCursor: page.nextCursor };
      },
    );
    app.get(
      `${base}/:id/deliveries/:deliveryId`,
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getWebhookDelivery',
          summary: 'Get one message with every attempt',
          params: DeliveryIdParams,
          response: { 200: DeliveryView, ...errors },
        },
      },
      async (req) => {
        const { delivery, attempts } = await webhooks.delivery(principalOf(req), req.params.id, req.params.deliveryId);
        return presentDelivery(delivery, attempts);
      },
    );
    app.post(
      `${base}/:id/deliveries/:deliveryId/redeliver`,
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'redeliverWebhookMessage',
          summary: 'Send a message again now',
          description: 'The same body and webhook-id (receivers deduplicate on it), newly signed.',
          params: DeliveryIdParams,
          body: NoBody.nullish().describe('Optional: nothing to send'),
          response: { 202: DeliveryView, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .code(202)
          .send(presentDelivery(await webhooks.redeliver(principalOf(req), req.params.id, req.params.deliveryId))),
    );
  };
}
