import { Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useNavigate } from 'react-router';
import { useI18n } from '../i18n/index.tsx';
import { StateBadge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useListKeys } from '../ui/useListKeys.ts';
import { useUrlFilters } from '../ui/useUrlFilters.ts';
import { type SimListParams, useSims } from './queries.ts';

const STATES = ['INVENTORY', 'TEST_READY', 'ACTIVATION_READY', 'ACTIVATED', 'DEACTIVATED', 'RETIRED'];

/**
 * The SIM inventory, paged on the server (1M SIMs), filters in the URL. `portal` is the customer's own SIMs: the
 * API already answers a customer with their account's subtree only.
 */
export function SimList({ base, title }: { base: string; title: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { search, set } = useUrlFilters();
  const q = search.get('q') ?? '';
  const params: SimListParams = {
    ...(q ? identifierFilter(q) : {}),
    state: search.get('state') ?? undefined,
    ...(search.get('accountId') ? { accountId: Number(search.get('accountId')) } : {}),
    cursor: search.get('cursor') ?? undefined,
  };
  const sims = useSims(params);
  const items = sims.data?.items ?? [];
  const selected = useListKeys(items.length, (i) => navigate(`${base}/${items[i]!.iccid}`));
  return (
    <Stack>
      <Title order={1} size="h3">
        {title}
      </Title>
      <Group align="end">
        <TextInput
          label={t('sims.search')}
          defaultValue={q}
          onKeyDown={(e) => e.key === 'Enter' && set('q', e.currentTarget.value.trim() || null)}
          onBlur={(e) => set('q', e.currentTarget.value.trim() || null)}
        />
        <Select
          label={t('sims.col.state')}
          placeholder={t('common.any')}
          data={STATES}
          value={params.state ?? null}
          onChange={(v) => set('state', v)}
          clearable
        />
      </Group>
      <ErrorAlert error={sims.error} />
      <Table striped highlightOnHover aria-label={title}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('sims.col.iccid')}</Table.Th>
            <Table.Th>{t('sims.col.account')}</Table.Th>
            <Table.Th>{t('sims.col.state')}</Table.Th>
            <Table.Th>{t('sims.col.network')}</Table.Th>
            <Table.Th>{t('sims.col.plan')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((s, i) => (
            <Table.Tr
              key={s.iccid}
              aria-selected={i === selected}
              bg={i === selected ? 'var(--mantine-color-blue-light)' : undefined}
              onClick={() => navigate(`${base}/${s.iccid}`)}
              style={{ cursor: 'pointer' }}
            >
              <Table.Td ff="monospace">{s.iccid}</Table.Td>
              <Table.Td>{s.account.name ?? s.account.number}</Table.Td>
              <Table.Td>
                <StateBadge s={s.state} />
              </Table.Td>
              <Table.Td>
                <StateBadge s={s.networkState} />
              </Table.Td>
              <Table.Td>{s.communicationPlan?.name ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {sims.isSuccess && items.length === 0 && <Text c="dimmed">{t('sims.empty')}</Text>}
      <Group>
        <Button variant="default" disabled={!params.cursor} onClick={() => set('cursor', null)}>
          {t('common.first')}
        </Button>
        <Button
          variant="default"
          disabled={!sims.data?.nextCursor}
          onClick={() => set('cursor', sims.data?.nextCursor ?? null)}
        >
          {t('common.next')}
        </Button>
      </Group>
    </Stack>
  );
}

/** One search box for the three identifiers: 18–20 digits is an ICCID, 15 from an MCC an IMSI, else an MSISDN. */
function identifierFilter(q: string): SimListParams {
  const digits = q.replace(/\D/g, '');
  if (digits.startsWith('89') && digits.length >= 6) return { iccid: digits };
  if (digits.length === 15 && !q.startsWith('+')) return { imsi: digits };
  return { msisdn: digits };
}

export default function SimsPage() {
  const { t } = useI18n();
  return <SimList base="/sims" title={t('sims.title')} />;
}
