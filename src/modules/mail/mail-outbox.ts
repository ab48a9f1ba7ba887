/**
 * The outbox and the templates, as staff see and steer them: every outgoing mail with its state (queued, sent,
 * failed, held without a relay, suppressed by a guard), a held or failed one sent again, and the wording of each
 * mail kind per language (admins; a template with an unknown placeholder is refused, naming it).
 */
import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { enqueueIn } from '../../platform/jobs/outbox.ts';
import { LANGUAGES } from '../accounts/accounts.schemas.ts';
import type { CaseMailOps } from '../cases/case-mail.ts';
import { MailErrors as E } from './mail.errors.ts';
import { mailOutbound, mailTemplates } from './mail.tables.ts';
import { SEND_ATTEMPTS, SEND_JOB } from './mail-compose.ts';
import {
  DEFAULT_TEMPLATES,
  type Language,
  MAIL_KINDS,
  type MailKind,
  PLACEHOLDERS,
  unknownPlaceholders,
} from './mail-templates.ts';

export type OutboundRow = typeof mailOutbound.$inferSelect;
export type TemplateView = {
  kind: MailKind;
  language: Language;
  subject: string;
  body: string;
  custom: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
};

/** Kinds whose text carries what a person wrote: their template must place it. */
const CARRIES_MESSAGE: ReadonlySet<MailKind> = new Set(['agent_reply', 'public_update']);

export function mailOutbox(db: Db, deps: { cases: CaseMailOps; relay: boolean }) {
  function staffOnly(p: Principal) {
    if (!isStaff(p)) throw forbidden(E.staffOnly, 'The mailbox is the provider’s: staff only');
  }

  return {
    /** Newest first, optionally of one state or one case. */
    async list(
      p: Principal,
      q: { limit: number; cursor?: string | undefined; state?: string | undefined; caseNumber?: string | undefined },
    ): Promise<{ items: (OutboundRow & { caseNumber: string })[]; nextCursor: string | null }> {
      staffOnly(p);
      const where: (SQL | undefined)[] = [
        q.state === undefined ? undefined : eq(mailOutbound.state, q.state),
        q.cursor === undefined ? undefined : lt(mailOutbound.id, Number(q.cursor)),
      ];
      if (q.caseNumber !== undefined) {
        const [c] = await deps.cases.refs({ numbers: [q.caseNumber], includeMajor: true });
        if (!c) return { items: [], nextCursor: null };
        where.push(eq(mailOutbound.caseId, c.id));
      }
      const rows = await db
        .select()
        .from(mailOutbound)
        .where(and(...where))
        .orderBy(desc(mailOutbound.id))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      const numbers = new Map(
        (await deps.cases.refs({ ids: page.map((r) => r.caseId), includeMajor: true })).map((c) => [c.id, c.number]),
      );
      return {
        items: page.map((r) => ({ ...r, caseNumber: numbers.get(r.caseId) ?? '' })),
        nextCursor: rows.length > q.limit ? String(page.at(-1)!.id) : null,
      };
    },

    /** A held or failed mail queued for the relay again (a suppressed one stays: its guard still holds). */
    async resend(p: Principal, id: number): Promise<void> {
      staffOnly(p);
      const [m] = await db.select().from(mailOutbound).where(eq(mailOutbound.id, id));
      if (!m)
        throw notFound(E.notFound, `Outbound mail ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
      if (!deps.relay) {
        throw conflict(E.noRelay, 'No relay is configured (SMTP_URL): the mail stays held', [
          { field: 'id', value: id, reason: 'set SMTP_URL and restart, then send it again' },
        ]);
      }
      if (m.state !== 'held' && m.state !== 'failed') {
        throw conflict(E.notResendable, `Outbound mail ${id} is ${m.state}`, [
          { field: 'id', value: id, reason: 'only held or failed mail is sent again' },
        ]);
      }
      await db.transaction(async (tx) => {
        await tx.update(mailOutbound).set({ state: 'queued', lastError: null }).where(eq(mailOutbound.id, id));
        // A key per resend: the first send's job keeps its key for its whole life.
        await enqueueIn(
          tx,
          SEND_JOB,
          { outboundId: id },
          {
            dedupeKey: `${SEND_JOB}:${id}:${m.attempts}`,
            maxAttempts: SEND_ATTEMPTS,
          },
        );
      });
    },

    /** Every kind × language, an admin's wording where there is one, else the built-in text. */
    async templates(p: Principal): Promise<TemplateView[]> {
      staffOnly(p);
      const custom = new Map(
        (await db.select().from(mailTemplates)).map((t) => [`${t.kind}:${t.language}`, t] as const),
      );
      return MAIL_KINDS.flatMap((kind) =>
        LANGUAGES.map((language) => {
          const c = custom.get(`${kind}:${language}`);
          const d = DEFAULT_TEMPLATES[kind][language];
          return {
            kind,
            language,
            subject: c?.subject ?? d.subject,
            body: c?.body ?? d.body,
            custom: c !== undefined,
            updatedBy: c?.updatedBy ?? null,
            updatedAt: c?.updatedAt ?? null,
          };
        }),
      );
    },

    async saveTemplate(p: Principal, kind: MailKind, language: Language, t: { subject: string; body: string }) {
      const details = (['subject', 'body'] as const).flatMap((field) =>
        unknownPlaceholders(t[field]).map((name) => ({
          field,
          value: `{{${name}}}`,
          reason: `unknown placeholder: use ${PLACEHOLDERS.join(', ')}`,
        })),
      );
      if (CARRIES_MESSAGE.has(kind) && !/\{\{\s*message\s*\}\}/.test(t.body)) {
        details.push({ field: 'body', value: t.body.slice(0, 80), reason: `a ${kind} must place {{message}}` });
      }
      if (details.length > 0) throw invalid(E.templateInvalid, 'The template cannot be used as written', details);
      await db
        .insert(mailTemplates)
        .values({ kind, language, subject: t.subject, body: t.body, updatedBy: p.email, updatedAt: new Date() })
        .onConflictDoUpdate({
          target: [mailTemplates.kind, mailTemplates.language],
          set: { subject: t.subject, body: t.body, updatedBy: p.email, updatedAt: sql`now()` },
        });
    },

    /** Back to the built-in text. */
    async resetTemplate(kind: MailKind, language: Language): Promise<void> {
      await db.delete(mailTemplates).where(and(eq(mailTemplates.kind, kind), eq(mailTemplates.language, language)));
    },
  };
}
