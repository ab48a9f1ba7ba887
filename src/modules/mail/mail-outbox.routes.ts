import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentOutbound, presentTemplate } from './mail.presenter.ts';
import {
  MailTemplateList,
  MailTemplateView,
  OutboundIdParams,
  OutboxPage,
  OutboxQuery,
  SaveTemplateBody,
  TemplateParams,
} from './mail.schemas.ts';
import type { mailOutbox } from './mail-outbox.ts';
import { PLACEHOLDER_MEANING, PLACEHOLDERS } from './mail-templates.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['mail'];
const Empty = z.object({}).strict().meta({ id: 'MailActionRequest' });

/** Outgoing mail (staff) and its wording (admins). */
export function mailOutboxRoutes(outbox: ReturnType<typeof mailOutbox>) {
  return (app: App) => {
    app.get(
      '/api/v1/mail/outbox',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listOutboundMail',
          summary: 'List outgoing mail',
          description:
            'Newest first, with its state: queued, sent, failed (refused for good or out of retries), held (no ' +
            'relay: SMTP_URL unset), suppressed (a bounced address, a loop, the automatic-mail limit). Staff only.',
          querystring: OutboxQuery,
          response: { 200: OutboxPage, ...errors },
        },
      },
      async (req) => {
        const page = await outbox.list(principalOf(req), req.query);
        return { items: page.items.map(presentOutbound), nextCursor: page.nextCursor };
      },
    );
    app.post(
      '/api/v1/mail/outbox/:id/send',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'resendOutboundMail',
          summary: 'Send a held or failed mail again',
          description: '409 without a relay, or when the mail is not held or failed. Staff only.',
          params: OutboundIdParams,
          body: Empty,
          response: { 202: z.null().describe('Queued for the relay'), 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => {
        await outbox.resend(principalOf(req), req.params.id);
        return reply.code(202).send(null);
      },
    );
    app.get(
      '/api/v1/mail/templates',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listMailTemplates',
          summary: 'List the mail templates',
          description: 'Every mail kind in every language: an admin’s wording where saved, else the built-in text.',
          response: { 200: MailTemplateList, ...errors },
        },
      },
      async (req) => ({
        items: (await outbox.templates(principalOf(req))).map(presentTemplate),
        placeholders: PLACEHOLDERS.map((name) => ({ name, meaning: PLACEHOLDER_MEANING[name] })),
      }),
    );
    app.put(
      '/api/v1/mail/templates/:kind/:language',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'saveMailTemplate',
          summary: 'Save the wording of a mail kind in a language',
          description:
            'Placeholders: {{caseNumber}}, {{caseSubject}}, {{contactName}}, {{message}} (agent_reply and ' +
            'public_update must place it). Any other placeholder is refused, naming it. Admins only.',
          params: TemplateParams,
          body: SaveTemplateBody,
          response: { 200: MailTemplateView, ...errors },
        },
      },
      async (req) => {
        const { kind, language } = req.params;
        await outbox.saveTemplate(principalOf(req), kind, language, req.body);
        const all = await outbox.templates(principalOf(req));
        return presentTemplate(all.find((t) => t.kind === kind && t.language === language)!);
      },
    );
    app.delete(
      '/api/v1/mail/templates/:kind/:language',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'resetMailTemplate',
          summary: 'Go back to the built-in wording',
          description: 'Admins only. No-op when the wording is the built-in one already.',
          params: TemplateParams,
          response: { 204: z.null().describe('Reset'), ...errors },
        },
      },
      async (req, reply) => {
        await outbox.resetTemplate(req.params.kind, req.params.language);
        return reply.code(204).send(null);
      },
    );
  };
}
