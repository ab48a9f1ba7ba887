import { Badge, Group, Modal, type ModalProps, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { READABLE } from '../admin/ui.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/index.tsx';
import type { MailKind, OutboundState, TriageReason } from './queries.ts';

/** The mail screens' pieces: their dialog, the human words for the API's reasons, states and kinds. */

/** A dialog with readable error colours and a close button named in words. */
export function MailModal(props: ModalProps) {
  const { t } = useI18n();
  return <Modal closeButtonProps={{ 'aria-label': t('mail.close') }} styles={{ content: READABLE }} {...props} />;
}

const REASON: Record<TriageReason, MessageKey> = {
  unknown_sender: 'mail.reason.unknown_sender',
  ambiguous_sender: 'mail.reason.ambiguous_sender',
  sender_unverified: 'mail.reason.sender_unverified',
  automatic: 'mail.reason.automatic',
  rate_limited: 'mail.reason.rate_limited',
  partner_ticket_unknown: 'mail.reason.partner_ticket_unknown',
};
/** Why a mail waits in triage, in words (an unknown reason from a newer server shows as it came). */
export function useReasonText() {
  const { t } = useI18n();
  return (r: string | null) => (r ? (r in REASON ? t(REASON[r as TriageReason]) : r.replace(/_/g, ' ')) : '—');
}

const KIND: Record<MailKind, MessageKey> = {
  case_received: 'mail.kind.case_received',
  agent_reply: 'mail.kind.agent_reply',
  public_update: 'mail.kind.public_update',
  waiting_for_you: 'mail.kind.waiting_for_you',
  resolved: 'mail.kind.resolved',
  closed: 'mail.kind.closed',
  status_update: 'mail.kind.status_update',
  verification_reminder: 'mail.kind.verification_reminder',
  monitoring_opened: 'mail.kind.monitoring_opened',
};
export function useKindText() {
  const { t } = useI18n();
  return (k: string) => (k in KIND ? t(KIND[k as MailKind]) : k.replace(/_/g, ' '));
}

const STATE: Record<OutboundState, { key: MessageKey; color: string }> = {
  queued: { key: 'mail.state.queued', color: 'blue' },
  sent: { key: 'mail.state.sent', color: 'teal' },
  failed: { key: 'mail.state.failed', color: 'red' },
  held: { key: 'mail.state.held', color: 'yellow' },
  suppressed: { key: 'mail.state.suppressed', color: 'gray' },
};
export function StateText({ s }: { s: OutboundState }) {
  const { t } = useI18n();
  const known = STATE[s];
  return known ? t(known.key) : s;
}
/** An outgoing mail's state; the text stays dark on the light tint (WCAG AA). */
export function OutboundStateBadge({ s }: { s: OutboundState }) {
  return (
    <Badge variant="light" color={STATE[s]?.color ?? 'gray'} c="dark.9" tt="none">
      <StateText s={s} />
    </Badge>
  );
}

/** A label and its value, in a definition list. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text component="dt" size="sm" fw={600} w={160} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text component="dd" size="sm" m={0} style={{ wordBreak: 'break-word' }}>
        {children}
      </Text>
    </Group>
  );
}

/** "Ann Example <ann@x.example>", or the address alone, or a dash. */
export const senderOf = (m: { from: string | null; fromName: string | null }, none: string) =>
  m.fromName && m.from ? `${m.fromName} <${m.from}>` : (m.from ?? m.fromName ?? none);
