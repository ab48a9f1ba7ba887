import type { CSSProperties, ReactNode } from 'react';

// Colours tell the state at a glance; the text stays dark on a light tint (or white on P1's deep red) so every
// badge keeps WCAG AA contrast. Plain spans styled by ui/plain.css with Mantine's colour variables: the queue shows
// ~150 of them, and a Mantine Badge each cost more than the rest of the row.
const PRIORITY_COLOR: Record<string, string> = { P2: 'orange', P3: 'yellow', P4: 'gray' };

type BadgeProps = {
  /** A Mantine colour name; light tint unless `filled`. */
  color: string;
  variant?: 'light' | 'filled' | 'outline';
  size?: 'xs' | 'sm';
  children: ReactNode;
  title?: string;
  'aria-label'?: string;
  ml?: string;
};

// One style object per colour and variant, made once: a new object per badge would re-diff on every render.
const styles = new Map<string, CSSProperties>();
function bg(color: string, variant: string): CSSProperties {
  const key = `${variant}:${color}`;
  let s = styles.get(key);
  if (!s) {
    const [name, shade] = color.split('.');
    const v =
      variant === 'filled' ? `var(--mantine-color-${name}-${shade ?? 8})` : `var(--mantine-color-${name}-light)`;
    s = { '--badge-bg': v } as CSSProperties;
    styles.set(key, s);
  }
  return s;
}

export function Badge({ color, variant = 'light', size, children, title, ml, ...rest }: BadgeProps) {
  const style = ml ? { ...bg(color, variant), marginLeft: `var(--mantine-spacing-${ml})` } : bg(color, variant);
  const label = rest['aria-label'];
  // A labelled badge ("priority P1") is an image of its label for assistive technology: a plain span may not
  // carry aria-label (it has no role), and the label says more than the visible text.
  return label ? (
    <span
      className="badge"
      data-variant={variant}
      data-size={size}
      style={style}
      title={title}
      role="img"
      aria-label={label}
    >
      {children}
    </span>
  ) : (
    <span className="badge" data-variant={variant} data-size={size} style={style} title={title}>
      {children}
    </span>
  );
}

export const PriorityBadge = ({ p }: { p: string }) => (
  <Badge
    color={p === 'P1' ? 'red.9' : (PRIORITY_COLOR[p] ?? 'gray')}
    variant={p === 'P1' ? 'filled' : 'light'}
    aria-label={`priority ${p}`}
  >
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
  s ? <Badge color={STATE_COLOR[s] ?? 'gray'}>{s.replace(/_/g, ' ')}</Badge> : <span>—</span>;

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
    <Badge color={color} title={due}>
      {ms < 0 ? `${text} overdue` : `in ${text}`}
    </Badge>
  );
}
