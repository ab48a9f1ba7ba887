import { Anchor, Button, Group, NativeSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { Link } from 'react-router';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useUrlFilters } from '../ui/useUrlFilters.ts';
import { OutboundStateBadge, useKindText } from './parts.tsx';
import { OUTBOUND_STATES, type OutboundState, type OutboxParams, useOutbox, useResend } from './queries.ts';

/**
 * The mail the desk sends, newest first, by state (and case): where each went, how often it was tried and the
 * relay's last refusal or the guard that stopped it. A held or failed mail can be sent again; without a relay
 * (SMTP_URL unset) the server refuses that (409), and its words show above the list.
 */
export default function OutboxTab() {
  const { t, dateTime, number } = useI18n();
  const kind = useKindText();
  const { search, set } = useUrlFilters();
  const state = search.get('state');
  const params: OutboxParams = {
    ...(state && (OUTBOUND_STATES as readonly string[]).includes(state) ? { state: state as OutboundState } : {}),
    ...(search.get('caseNumber') ? { caseNumber: search.get('caseNumber')! } : {}),
    ...(search.get('cursor') ? { cursor: search.get('cursor')! } : {}),
  };
  const outbox = useOutbox(params);
  const resend = useResend();
  const items = outbox.data?.items ?? [];
  return (
    <Stack gap="sm">
      <Group align="flex-end">
        <NativeSelect
          label={t('mail.outbox.state')}
          w={200}
          value={params.state ?? ''}
          onChange={(e) => set('state', e.currentTarget.value || null)}
          data={[
            { value: '', label: t('mail.outbox.all') },
            ...OUTBOUND_STATES.map((s) => ({ value: s, label: t(`mail.state.${s}`) })),
          ]}
        />
        <TextInput
          label={t('mail.outbox.col.case')}
          placeholder="C-2026-000123"
          w={200}
          defaultValue={params.caseNumber ?? ''}
          key={params.caseNumber ?? ''}
          onKeyDown={(e) => e.key === 'Enter' && set('caseNumber', e.currentTarget.value.trim().toUpperCase() || null)}
        />
      </Group>
      <ErrorAlert error={outbox.error ?? resend.error} />
      {resend.isSuccess && (
        <Text size="sm" role="status">
          {t('mail.outbox.resent')}
        </Text>
      )}
      <Table striped aria-label={t('mail.outbox.table')} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('mail.outbox.col.created')}</Table.Th>
            <Table.Th>{t('mail.outbox.col.case')}</Table.Th>
            <Table.Th>{t('mail.outbox.col.to')}</Table.Th>
            <Table.Th>{t('mail.outbox.col.kind')}</Table.Th>
            <Table.Th>{t('mail.outbox.col.state')}</Table.Th>
            <Table.Th>{t('mail.outbox.col.attempts')}</Table.Th>
            <Table.Th>{t('mail.outbox.col.error')}</Table.Th>
            <Table.Th>{t('mail.col.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{dateTime(m.createdAt)}</Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/cases/${m.caseNumber}`} size="sm">
                  {m.caseNumber}
                </Anchor>
              </Table.Td>
              <Table.Td style={{ wordBreak: 'break-word' }}>
                {m.toName ? `${m.toName} <${m.to}>` : m.to}
                <Text size="xs" c="dimmed" title={m.subject}>
                  {m.subject}
                </Text>
              </Table.Td>
              <Table.Td>{kind(m.kind)}</Table.Td>
              <Table.Td>
                <OutboundStateBadge s={m.state} />
              </Table.Td>
              <Table.Td>{number(m.attempts)}</Table.Td>
              <Table.Td maw={300} style={{ wordBreak: 'break-word' }}>
                {m.lastError ?? '—'}
              </Table.Td>
              <Table.Td>
                {(m.state === 'held' || m.state === 'failed') && (
                  <Button
                    size="compact-sm"
                    variant="default"
                    loading={resend.isPending && resend.variables === m.id}
                    onClick={() => resend.mutate(m.id)}
                  >
                    {t('mail.outbox.resend')}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {outbox.isSuccess && items.length === 0 && <Text c="dimmed">{t('mail.outbox.empty')}</Text>}
      <Group>
        {params.cursor && (
          <Button variant="default" onClick={() => set('cursor', null)}>
            {t('mail.first')}
          </Button>
        )}
        {outbox.data?.nextCursor && (
          <Button variant="default" onClick={() => set('cursor', outbox.data.nextCursor)}>
            {t('common.next')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}
