import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentMail, presentMailDetail } from './mail.presenter.ts';
import { AssignMailBody, DismissMailBody, MailDetail, MailIdParams, TriagePage, TriageQuery } from './mail.schemas.ts';
import type { mailTriage } from './mail-triage.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['mail'];
const AssignedView = z.object({ caseNumber: z.string() }).meta({ id: 'MailAssigned' });

/** The desk's mailbox (staff only): the triage queue and each stored mail, raw on demand. */
export function mailRoutes(triage: ReturnType<typeof mailTriage>) {
  return (app: App) => {
    app.get(
      '/api/v1/mail/triage',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listMailTriage',
          summary: 'List the mail waiting in triage',
          description:
            'Inbound mail threading did not put on a case: an unknown or ambiguous sender, an auto-reply or bounce ' +
            'with no case, a sender past MAIL_SENDER_LIMIT_PER_HOUR, a partner ticket no case holds. Oldest first. Staff only.',
          querystring: TriageQuery,
          response: { 200: TriagePage, ...errors },
        },
      },
      async (req) => {
        const page = await triage.list(principalOf(req), req.query);
        return { items: page.items.map(presentMail), nextCursor: page.nextCursor, total: page.total };
      },
    );
    app.get(
      '/api/v1/mail/messages/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getMail',
          summary: 'Show a stored mail',
          description: 'As read by the desk, with every header line and where threading put it. Staff only.',
          params: MailIdParams,
          response: { 200: MailDetail, ...errors },
        },
      },
      async (req) => presentMailDetail(await triage.show(principalOf(req), req.params.id)),
    );
    app.get(
      '/api/v1/mail/messages/:id/raw',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getMailRaw',
          summary: 'Download a stored mail as received (.eml)',
          description: 'The exact bytes the intake answered 250 for (message/rfc822). Staff only.',
          params: MailIdParams,
          response: {
            200: z.string().describe('The RFC 5322 message'),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const raw = await triage.raw(principalOf(req), req.params.id);
        return (
          reply
            .type('message/rfc822')
            .header('content-disposition', `attachment; filename="mail-${req.params.id}.eml"`)
            // A stranger's bytes: never sniffed or rendered in the desk's origin.
            .header('x-content-type-options', 'nosniff')
            .header('content-security-policy', "default-src 'none'; sandbox")
            .send(raw as unknown as string)
        );
      },
    );
    app.post(
      '/api/v1/mail/messages/:id/assign',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'assignMail',
          summary: 'Take a mail out of triage onto a case',
          description:
            '`caseNumber`: onto that case (internal unless `visibility: public`). `accountId`: onto a new case of ' +
            'that account, the sender becoming its contact, so its next mail threads by itself. 409 when the mail ' +
            'is no longer in triage. Staff only.',
          params: MailIdParams,
          body: AssignMailBody,
          response: { 200: AssignedView, 409: ErrorBody, ...errors },
        },
      },
      async (req) => triage.assign(principalOf(req), req.params.id, req.body),
    );
    app.post(
      '/api/v1/mail/messages/:id/dismiss',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'dismissMail',
          summary: 'Dismiss a mail from triage',
          description: 'Spam, a newsletter: kept stored, on no case. 409 when it is no longer in triage. Staff only.',
          params: MailIdParams,
          body: DismissMailBody,
          response: { 204: z.null().describe('Dismissed'), 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => {
        await triage.dismiss(principalOf(req), req.params.id, req.body.note);
        return reply.code(204).send(null);
      },
    );
  };
}
