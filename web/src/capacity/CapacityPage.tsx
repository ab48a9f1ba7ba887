import { Badge, Button, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useUrlFilters } from '../ui/useUrlFilters.ts';
import { type LinkSort, useCapacityLinks } from './queries.ts';
import { dayText, pctText, speedText, trendText } from './words.ts';

type CapacityLink = Schemas['CapacityLink'];

/** When it saturates, in words, with a badge where an upgrade is due. */
export function Saturation({ link, leadTimeDays }: { link: CapacityLink; leadTimeDays: number }) {
  const { t, lang, number } = useI18n();
  if (link.daysToSaturation === null)
    return <Text size="sm">{link.status === 'ok' ? t('capacity.notWithinHorizon') : '—'}</Text>;
  const days =
    link.daysToSaturation === 0
      ? t('capacity.saturatedNow')
      : `${number(link.daysToSaturation)} ${t('capacity.days')} (${dayText(lang, link.saturationDay!)})`;
  return (
    <Group gap={6}>
      <Text size="sm">{days}</Text>
      {link.withinLeadTime && (
        <Badge variant="light" color="red" c="dark.9" title={`${t('capacity.withinLeadTime')} (${leadTimeDays} d)`}>
          {t('capacity.upgradeDue')}
        </Badge>
      )}
    </Group>
  );
}

/**
 * Capacity (issue 17.5): every link's p95 forecast, soonest to saturate first, with the order case proposed for
 * those that saturate within a capacity order's lead time. Sort and page live in the URL.
 */
export default function CapacityPage() {
  const { t } = useI18n();
  const { search, set } = useUrlFilters();
  const sort: LinkSort = search.get('sort') === 'currentP95' ? 'currentP95' : 'daysToSaturation';
  const cursor = search.get('cursor');
  const links = useCapacityLinks(sort, cursor);
  const items = links.data?.items ?? [];
  const lead = links.data?.leadTimeDays ?? 3.5;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1} size="h3">
          {t('capacity.title')}
        </Title>
        <SegmentedControl
          aria-label={t('capacity.sort')}
          value={sort}
          onChange={(v) => set('sort', v === 'daysToSaturation' ? null : v)}
          data={[
            { value: 'daysToSaturation', label: t('capacity.sort.soonest') },
            { value: 'currentP95', label: t('capacity.sort.busiest') },
          ]}
        />
      </Group>
      <Text size="sm" maw={900}>
        {t('capacity.intro')} {t('capacity.leadTime')}: {lead} {t('capacity.days')}.
      </Text>
      <ErrorAlert error={links.error} />
      {links.isSuccess && items.length === 0 && <Text c="dimmed">{t('capacity.empty')}</Text>}
      {items.length > 0 && (
        <Table striped aria-label={t('capacity.links')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('capacity.col.link')}</Table.Th>
              <Table.Th>{t('queue.col.account')}</Table.Th>
              <Table.Th>{t('capacity.col.p95')}</Table.Th>
              <Table.Th>{t('capacity.col.trend')}</Table.Th>
              <Table.Th>{t('capacity.col.saturation')}</Table.Th>
              <Table.Th>{t('capacity.col.speed')}</Table.Th>
              <Table.Th>{t('capacity.col.proposal')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((l) => (
              <Table.Tr key={l.deviceId}>
                <Table.Td>
                  <Link to={`/capacity/${l.deviceId}`}>{l.name ?? l.externalId}</Link>
                  {l.name && (
                    <Text size="xs" ff="monospace">
                      {l.externalId}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{l.accountName ?? `#${l.accountId}`}</Table.Td>
                <Table.Td>{pctText(l.currentP95Pct)}</Table.Td>
                <Table.Td>
                  {l.status === 'ok' ? `${trendText(l.trendPctPerWeek)} ${t('capacity.perWeek')}` : '—'}
                </Table.Td>
                <Table.Td>
                  <Saturation link={l} leadTimeDays={lead} />
                  {l.status === 'insufficient_history' && (
                    <Text size="xs" c="dark.4">
                      {t('capacity.insufficient')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {speedText(l.linkKbps)}
                  <Text size="xs" c="dark.4">
                    {t('capacity.max')} {speedText(l.maxLinkKbps)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {l.proposal ? (
                    <Group gap={4} wrap="nowrap">
                      <Link to={`/cases/${l.proposal.caseNumber}`}>{l.proposal.caseNumber}</Link>
                      {l.proposal.state === 'ended' && (
                        <Text size="xs" c="dark.4">
                          ({t('capacity.ended')})
                        </Text>
                      )}
                    </Group>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group>
        <Button variant="default" disabled={!cursor} onClick={() => set('cursor', null)}>
          {t('common.first')}
        </Button>
        <Button
          variant="default"
          disabled={!links.data?.nextCursor}
          onClick={() => set('cursor', links.data?.nextCursor ?? null)}
        >
          {t('common.next')}
        </Button>
      </Group>
    </Stack>
  );
}
