import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { triageQuery } from './triage-query.ts';

/**
 * The desk's mailbox for staff: the triage queue (mail threading left waiting) and what is done with each mail, a
 * stored mail with its headers, the outbox, and the templates of the mail the desk sends.
 */
export type MailSummary = Schemas['MailSummary'];
export type MailDetail = Schemas['MailDetail'];
export type OutboundMail = Schemas['OutboundMail'];
export type OutboundState = OutboundMail['state'];
export type MailTemplate = Schemas['MailTemplate'];
export type MailKind = MailTemplate['kind'];
export type TemplateLanguage = MailTemplate['language'];
export type TriageReason = NonNullable<MailSummary['triageReason']>;

export const OUTBOUND_STATES: readonly OutboundState[] = ['queued', 'sent', 'failed', 'held', 'suppressed'];
export const MAIL_KINDS: readonly MailKind[] = [
  'case_received',
  'agent_reply',
  'public_update',
  'waiting_for_you',
  'resolved',
  'closed',
  'status_update',
  'verification_reminder',
  'monitoring_opened',
];

/** New mail lands in triage at any time: the list (and the nav's count) is asked again every 30 s. */
export const useTriage = (cursor: string | null) =>
  useQuery({ ...triageQuery(cursor), placeholderData: keepPreviousData, refetchInterval: 30_000 });

export const useMail = (id: number) =>
  useQuery({
    queryKey: keys.mail.one(id),
    queryFn: () => unwrap(api.GET('/api/v1/mail/messages/{id}', { params: { path: { id } } })),
  });

/** The raw message's address: a plain link downloads it with the session cookie (the server names the file). */
export const rawMailUrl = (id: number) => `/api/v1/mail/messages/${id}/raw`;

/** A mail taken out of triage: the lists (and the nav's count) and the cases change. */
function useMailChange<V, R>(mutationFn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: keys.mail.all }),
        qc.invalidateQueries({ queryKey: keys.cases.all }),
      ]),
  });
}

export const useAssignMail = () =>
  useMailChange((v: { id: number; body: Schemas['AssignMailRequestInput'] }) =>
    unwrap(api.POST('/api/v1/mail/messages/{id}/assign', { params: { path: { id: v.id } }, body: v.body })),
  );

export const useDismissMail = () =>
  useMailChange((v: { id: number; note?: string }) =>
    unwrap(
      api.POST('/api/v1/mail/messages/{id}/dismiss', {
        params: { path: { id: v.id } },
        body: v.note ? { note: v.note } : {},
      }),
    ),
  );

export type OutboxParams = { state?: OutboundState; caseNumber?: string; cursor?: string };
/** A page of outgoing mail, newest first; asked again every 3 s while one is queued (it leaves within seconds). */
export const useOutbox = (params: OutboxParams) =>
  useQuery({
    queryKey: keys.mail.outbox(params),
    queryFn: () => unwrap(api.GET('/api/v1/mail/outbox', { params: { query: { limit: 50, ...params } } })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((m) => m.state === 'queued') ? 3_000 : 30_000),
  });

export const useResend = () =>
  useMailChange((id: number) =>
    unwrap(api.POST('/api/v1/mail/outbox/{id}/send', { params: { path: { id } }, body: {} })),
  );

/** Every kind in every language; they change only when an admin saves or resets one. */
export const useTemplates = () =>
  useQuery({
    queryKey: keys.mail.templates,
    queryFn: () => unwrap(api.GET('/api/v1/mail/templates')),
    staleTime: 60_000,
  });

type TemplateRef = { kind: MailKind; language: TemplateLanguage };
const templatePath = (v: TemplateRef) => ({ params: { path: { kind: v.kind, language: v.language } } });

export const useSaveTemplate = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: TemplateRef & { subject: string; body: string }) =>
      unwrap(
        api.PUT('/api/v1/mail/templates/{kind}/{language}', {
          ...templatePath(v),
          body: { subject: v.subject, body: v.body },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.mail.templates }),
  });
};

export const useResetTemplate = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: TemplateRef) => unwrap(api.DELETE('/api/v1/mail/templates/{kind}/{language}', templatePath(v))),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.mail.templates }),
  });
};

/** Accounts whose name contains, or number starts with, what the agent typed (the first 50). */
export const useAccountSearch = (q: string) =>
  useQuery({
    queryKey: ['accounts', 'search', q],
    queryFn: () =>
      unwrap(api.GET('/api/v1/accounts', { params: { query: { limit: 50, ...(q.trim() ? { q: q.trim() } : {}) } } })),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
