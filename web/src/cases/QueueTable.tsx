import { type MouseEvent, memo } from 'react';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { DueBadge, PriorityBadge, StateBadge } from '../ui/badges.tsx';

type Row = Schemas['CaseSummary'];

/**
 * The queue's rows as a plain <table> styled by ui/plain.css: 50 rows × 9 cells as Mantine Table/Badge components
 * were ~650 component instances, most of the queue's render time. Rows are memoised (a poll that changes one case
 * re-renders one row) and one click handler on the body opens the clicked row's case.
 */
export function QueueTable({
  items,
  selected,
  now,
  onOpen,
}: {
  items: Row[];
  selected: number;
  now: number;
  onOpen: (number: string) => void;
}) {
  const { t, dateTime } = useI18n();
  const click = (e: MouseEvent<HTMLTableSectionElement>) => {
    const tr = (e.target as HTMLElement).closest('tr');
    if (!tr?.dataset.number) return;
    e.preventDefault();
    onOpen(tr.dataset.number);
  };
  return (
    <table className="plain-table" aria-label={t('queue.title')}>
      <thead>
        <tr>
          <th>{t('queue.col.number')}</th>
          <th>{t('queue.col.priority')}</th>
          <th>{t('queue.col.due')}</th>
          <th>{t('queue.col.state')}</th>
          <th>{t('queue.col.account')}</th>
          <th>{t('queue.col.type')}</th>
          <th>{t('queue.col.subject')}</th>
          <th>{t('queue.col.sims')}</th>
          <th>{t('queue.col.age')}</th>
        </tr>
      </thead>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard opens a case by its link (Enter) or j/k + Enter. */}
      <tbody onClick={click}>
        {items.map((c, i) => (
          <QueueRow key={c.number} c={c} selected={i === selected} now={now} dateTime={dateTime} />
        ))}
      </tbody>
    </table>
  );
}

const QueueRow = memo(function QueueRow({
  c,
  selected,
  now,
  dateTime,
}: {
  c: Row;
  selected: boolean;
  now: number;
  dateTime: (iso: string) => string;
}) {
  return (
    <tr aria-selected={selected} data-number={c.number} data-clickable="">
      <td>
        {/* A real link for the keyboard and the accessible name; the row's click handler navigates in the app. */}
        <a href={`/cases/${c.number}`}>{c.number}</a>
      </td>
      <td>
        <PriorityBadge p={c.priority} />
      </td>
      <td>
        <DueBadge due={c.slaDueAt} now={now} />
      </td>
      <td>
        <StateBadge s={c.state} />
      </td>
      <td>{c.accountName}</td>
      <td>{c.type.replace(/_/g, ' ')}</td>
      <td>{c.subject}</td>
      <td>{c.affectedSimCount}</td>
      <td>{dateTime(c.createdAt)}</td>
    </tr>
  );
});
