import { Button, Checkbox, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { isStaff, useMe } from '../auth/session.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/index.tsx';
import { StateBadge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useListKeys } from '../ui/useListKeys.ts';
import { useUrlFilters } from '../ui/useUrlFilters.ts';
import { exportHref, NETWORK_STATES, type NetworkState, SEEN, type SimListParams, useSims } from './queries.ts';
import { BulkBar } from './SimBulk.tsx';

const STATES = ['INVENTORY', 'TEST_READY', 'ACTIVATION_READY', 'ACTIVATED', 'DEACTIVATED', 'RETIRED'];

/** The list's filters from the URL (deep links and reload keep them). */
function paramsOf(search: URLSearchParams): SimListParams {
  const q = search.get('q') ?? '';
  const net = search.get('networkState');
  const seen = search.get('seen');
  return {
    ...(q ? identifierFilter(q) : {}),
    state: search.get('state') ?? undefined,
    ...(search.get('accountId') ? { accountId: Number(search.get('accountId')) } : {}),
    ...(net && (NETWORK_STATES as readonly string[]).includes(net) ? { networkState: net as NetworkState } : {}),
    ...(seen && (SEEN as readonly string[]).includes(seen) ? { seen } : {}),
    ...(search.get('failing') === 'true' ? { failing: true } : {}),
    cursor: search.get('cursor') ?? undefined,
  };
}

/**
 * The SIM inventory, paged on the server (1M SIMs), filters in the URL. `portal` is the customer's own SIMs: the
 * API already answers a customer with their account's subtree only. Staff also select SIMs for a bulk change.
 */
export function SimList({ base, title }: { base: string; title: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const me = useMe();
  const staff = me.data ? isStaff(me.data) : false;
  const { search, set } = useUrlFilters();
  const q = search.get('q') ?? '';
  const params = paramsOf(search);
  const sims = useSims(params);
  const items = sims.data?.items ?? [];
  const selectedRow = useListKeys(items.length, (i) => navigate(`${base}/${items[i]!.iccid}`));
  // Which rows are ticked is screen state, not server state; a new filter starts a new selection.
  const filterKey = (() => {
    const f = new URLSearchParams(search);
    f.delete('cursor');
    return f.toString();
  })();
  const [picked, setPicked] = useState<{ key: string; iccids: Set<string>; all: boolean }>({
    key: filterKey,
    iccids: new Set(),
    all: false,
  });
  const selection = picked.key === filterKey ? picked : { key: filterKey, iccids: new Set<string>(), all: false };
  const toggle = (iccid: string, on: boolean) => {
    const next = new Set(selection.iccids);
    if (on) next.add(iccid);
    else next.delete(iccid);
    setPicked({ ...selection, iccids: next });
  };
  const pageAll = items.length > 0 && items.every((s) => selection.iccids.has(s.iccid));
  const seenLabel = (s: string) => t(`sims.seen.${s}` as MessageKey);

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
        <Select
          label={t('sims.filter.network')}
          placeholder={t('common.any')}
          data={[...NETWORK_STATES]}
          value={params.networkState ?? null}
          onChange={(v) => set('networkState', v)}
          clearable
        />
        <Select
          label={t('sims.filter.seen')}
          placeholder={t('common.any')}
          data={SEEN.map((s) => ({ value: s, label: seenLabel(s) }))}
          value={params.seen ?? null}
          onChange={(v) => set('seen', v)}
          clearable
        />
        <Checkbox
          label={t('sims.filter.failing')}
          checked={params.failing === true}
          onChange={(e) => set('failing', e.currentTarget.checked ? 'true' : null)}
          mb={8}
        />
        <Button
          component="a"
          variant="default"
          href={exportHref(params)}
          download="sims.csv"
          // "Not seen for 24 h" is an instant taken when the download starts, not when the page was drawn.
          onClick={(e) => {
            e.currentTarget.href = exportHref(params);
          }}
        >
          {t('sims.export')}
        </Button>
      </Group>
      {staff && (
        <BulkBar
          params={params}
          selected={[...selection.iccids]}
          allMatching={selection.all}
          onAllMatching={(all) => setPicked({ ...selection, all })}
          onDone={() => setPicked({ key: filterKey, iccids: new Set(), all: false })}
        />
      )}
      <ErrorAlert error={sims.error} />
      <Table striped highlightOnHover aria-label={title}>
        <Table.Thead>
          <Table.Tr>
            {staff && (
              <Table.Th>
                <Checkbox
                  aria-label={t('sims.select.page')}
                  checked={pageAll}
                  onChange={(e) => {
                    const next = new Set(selection.iccids);
                    const on = e.currentTarget.checked;
                    for (const s of items) {
                      if (on) next.add(s.iccid);
                      else next.delete(s.iccid);
                    }
                    setPicked({ ...selection, iccids: next });
                  }}
                />
              </Table.Th>
            )}
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
              aria-selected={i === selectedRow}
              bg={i === selectedRow ? 'var(--mantine-color-blue-light)' : undefined}
              onClick={() => navigate(`${base}/${s.iccid}`)}
              style={{ cursor: 'pointer' }}
            >
              {staff && (
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Checkbox
                    aria-label={`${t('sims.select.row')} ${s.iccid}`}
                    checked={selection.all || selection.iccids.has(s.iccid)}
                    disabled={selection.all}
                    onChange={(e) => toggle(s.iccid, e.currentTarget.checked)}
                  />
                </Table.Td>
              )}
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
