import { Badge } from '@mantine/core';
import { type EnumFamily, useI18n } from '../i18n/index.tsx';

// Colours tell the state at a glance (dark text on a light tint keeps WCAG AA); the words are the customer's.
const COLOR: Record<string, string> = {
  new: 'blue',
  open: 'cyan',
  pending_customer: 'grape',
  pending_provider: 'violet',
  resolved: 'teal',
  ACTIVATED: 'teal',
  DEACTIVATED: 'orange',
  ONLINE: 'teal',
  ATTACHED: 'cyan',
  BLOCKED: 'red',
  ok: 'teal',
  warning: 'yellow',
  error: 'red',
  // Alarms: severity, and active (needs attention) — an ended one stays grey.
  critical: 'red',
  major: 'orange',
  minor: 'yellow',
  active: 'orange',
};

/** An enum value of the API (case state, SIM state, network state, verdict, alarm) as a badge in the user's language. */
export function EnumBadge({ family, value }: { family: EnumFamily; value: string | null | undefined }) {
  const { enumText, t } = useI18n();
  if (!value && family === 'network') return <span>{t('enum.network.none')}</span>;
  return (
    // Never cut to "Akt…": a badge is one word or two, and a long cell beside it must not squeeze it.
    <Badge color={(value && COLOR[value]) ?? 'gray'} variant="light" c="dark.9" tt="none" miw="max-content">
      {enumText(family, value)}
    </Badge>
  );
}
