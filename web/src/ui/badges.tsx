import { Badge } from '@mantine/core';

// Colours tell the state at a glance; the text stays dark on a light tint (or white on P1's deep red) so every
// badge keeps WCAG AA contrast.
const PRIORITY_COLOR: Record<string, string> = { P1: 'red.9', P2: 'orange', P3: 'yellow', P4: 'gray' };
export const PriorityBadge = ({ p }: { p: string }) =>
  p === 'P1' ? (
    <Badge color="red.9" variant="filled" aria-label={`priority ${p}`}>
      {p}
    </Badge>
  ) : (
    <Badge color={PRIORITY_COLOR[p] ?? 'gray'} variant="light" c="dark.9" aria-label={`priority ${p}`}>
      {p}
    </Badge>
  );

const STATE_COLOR: Record<string, string> = {
  new: 'blue',
  open: 'cyan',
  pending_customer: 'grape',
  pending_provider: 'violet',
  resolved: 'teal',
  closed: 'gray',
  cancelled: 'gray',
  ACTIVATED: 'teal',
  DEACTIVATED: 'orange',
  ONLINE: 'teal',
  ATTACHED: 'cyan',
  OFFLINE: 'gray',
  BLOCKED: 'red',
};
export const StateBadge = ({ s }: { s: string | null | undefined }) =>
  s ? (
    <Badge color={STATE_COLOR[s] ?? 'gray'} variant="light" c="dark.9">
      {s.replace(/_/g, ' ')}
    </Badge>
  ) : (
    <span>—</span>
  );

/** Time left to an SLA due instant, coloured as it runs out (the warning thresholds are the server's 75/90 %). */
export function DueBadge({ due, now }: { due: string | null | undefined; now: number }) {
  if (!due) return <span>—</span>;
  const ms = new Date(due).getTime() - now;
  const abs = Math.abs(ms);
  const text =
    abs < 3_600_000
      ? `${Math.round(abs / 60_000)} min`
      : abs < 172_800_000
        ? `${Math.round(abs / 3_600_000)} h`
        : `${Math.round(abs / 86_400_000)} d`;
  const color = ms < 0 ? 'red' : ms < 3_600_000 ? 'orange' : ms < 4 * 3_600_000 ? 'yellow' : 'green';
  return (
    <Badge color={color} variant="light" c="dark.9" title={due}>
      {ms < 0 ? `${text} overdue` : `in ${text}`}
    </Badge>
  );
}
