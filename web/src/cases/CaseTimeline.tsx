import { memo, useMemo } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { OutboundStateBadge } from '../mail/parts.tsx';
import { Badge } from '../ui/badges.tsx';
import { AttachmentList } from './CaseAttachments.tsx';

type Entry = Schemas['CaseTimelineEntry'];
/** The mails that carried an entry to the contacts (staff): by entry id, one per recipient. */
export type Deliveries = ReadonlyMap<number, readonly Schemas['OutboundMail'][]>;
/** The words an entry needs, looked up once per timeline rather than once per entry. */
type Words = { internal: string; mailIn: string; mailOut: string; original: string; delivery: string };

/**
 * The case's timeline, newest first, as plain elements styled by ui/plain.css (a Mantine Card, Group and three
 * Texts per entry cost ~10 component instances each). Entries are memoised: a poll re-renders only what changed.
 * Mail shows as mail (an envelope, its subject); staff reach an inbound mail's headers and original from it.
 * Bodies are plain text: React escapes them, whatever a stranger's mail holds.
 */
export function CaseTimeline({
  number,
  items,
  staff,
  deliveries,
}: {
  number: string;
  items: Entry[];
  staff: boolean;
  deliveries?: Deliveries;
}) {
  const { t, dateTime } = useI18n();
  const internal = t('common.internal');
  const mailIn = t('case.mailIn');
  const mailOut = t('case.mailOut');
  const original = t('case.mailOriginal');
  const delivery = t('case.mailDelivery');
  // One object while the language stays, so the memoised entries keep their props.
  const words = useMemo(
    () => ({ internal, mailIn, mailOut, original, delivery }),
    [internal, mailIn, mailOut, original, delivery],
  );
  return (
    <>
      {[...items].reverse().map((e) => (
        <TimelineEntry
          key={e.id}
          number={number}
          e={e}
          dateTime={dateTime}
          words={words}
          staff={staff}
          mailed={deliveries?.get(e.id)}
        />
      ))}
    </>
  );
}

const isMail = (kind: Entry['kind']) => kind === 'email_in' || kind === 'email_out';
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);

const TimelineEntry = memo(function TimelineEntry({
  number,
  e,
  dateTime,
  words,
  staff,
  mailed,
}: {
  number: string;
  e: Entry;
  dateTime: (iso: string) => string;
  words: Words;
  staff: boolean;
  mailed?: readonly Schemas['OutboundMail'][] | undefined;
}) {
  const mail = isMail(e.kind);
  const subject = mail ? text(e.data?.subject) : null;
  const mailId = typeof e.data?.mailId === 'number' ? e.data.mailId : null;
  return (
    <article
      className="entry"
      data-internal={e.visibility === 'internal' ? '' : undefined}
      data-mail={mail ? '' : undefined}
    >
      <div className="entry-head">
        <strong>
          {mail ? (
            <>
              <span aria-hidden="true">✉ </span>
              {e.kind === 'email_in' ? words.mailIn : words.mailOut}
            </>
          ) : (
            e.kind.replace(/_/g, ' ')
          )}{' '}
          · {e.authorLabel}
          {e.visibility === 'internal' && (
            <Badge ml="xs" size="xs" color="yellow">
              {words.internal}
            </Badge>
          )}
        </strong>
        <span className="dimmed">{dateTime(e.at)}</span>
      </div>
      {subject && <p className="entry-subject">{subject}</p>}
      <p className="entry-body">{e.body}</p>
      {e.attachments.length > 0 && <AttachmentList number={number} items={e.attachments} />}
      {mailed && mailed.length > 0 && (
        <ul className="entry-deliveries" aria-label={words.delivery}>
          {mailed.map((m) => (
            <li key={m.id}>
              ✉ {m.to}: <OutboundStateBadge s={m.state} />
              {m.lastError && <span className="dimmed"> — {m.lastError}</span>}
            </li>
          ))}
        </ul>
      )}
      {staff && mail && mailId !== null && (
        <Link to={`/mail/messages/${mailId}`} className="entry-link">
          {words.original}
        </Link>
      )}
    </article>
  );
});
