import { memo } from 'react';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { Badge } from '../ui/badges.tsx';
import { AttachmentList } from './CaseAttachments.tsx';

type Entry = Schemas['CaseTimelineEntry'];

/**
 * The case's timeline, newest first, as plain elements styled by ui/plain.css (a Mantine Card, Group and three
 * Texts per entry cost ~10 component instances each). Entries are memoised: a poll re-renders only what changed.
 */
export function CaseTimeline({ number, items }: { number: string; items: Entry[] }) {
  const { t, dateTime } = useI18n();
  const internal = t('common.internal');
  return (
    <>
      {[...items].reverse().map((e) => (
        <TimelineEntry key={e.id} number={number} e={e} dateTime={dateTime} internal={internal} />
      ))}
    </>
  );
}

const TimelineEntry = memo(function TimelineEntry({
  number,
  e,
  dateTime,
  internal,
}: {
  number: string;
  e: Entry;
  dateTime: (iso: string) => string;
  internal: string;
}) {
  return (
    <article className="entry" data-internal={e.visibility === 'internal' ? '' : undefined}>
      <div className="entry-head">
        <strong>
          {e.kind.replace(/_/g, ' ')} · {e.authorLabel}
          {e.visibility === 'internal' && (
            <Badge ml="xs" size="xs" color="yellow">
              {internal}
            </Badge>
          )}
        </strong>
        <span className="dimmed">{dateTime(e.at)}</span>
      </div>
      <p className="entry-body">{e.body}</p>
      {e.attachments.length > 0 && <AttachmentList number={number} items={e.attachments} />}
    </article>
  );
});
