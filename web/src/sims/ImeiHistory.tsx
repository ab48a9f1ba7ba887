import { Table, Text } from '@mantine/core';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useNetworkState } from './queries.ts';

/**
 * Every device (IMEI) the SIM was seen in, newest first, from the network module's state of the SIM: a change of
 * IMEI is when the SIM moved to another device (a swap, or a stolen SIM).
 */
export function ImeiHistoryPanel({ iccid }: { iccid: string }) {
  const { t, dateTime } = useI18n();
  const state = useNetworkState(iccid);
  if (state.error) return <ErrorAlert error={state.error} />;
  if (!state.data) return <Text>{t('common.loading')}</Text>;
  const rows = [...state.data.imeiHistory].sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  if (rows.length === 0) return <Text c="dimmed">{t('sim.imei.none')}</Text>;
  return (
    <Table aria-label={t('sim.imeiHistory')} striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>IMEI</Table.Th>
          <Table.Th>{t('sim.imei.firstSeen')}</Table.Th>
          <Table.Th>{t('sim.imei.lastSeen')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.imei}>
            <Table.Td ff="monospace">{r.imei}</Table.Td>
            <Table.Td>{dateTime(r.firstSeenAt)}</Table.Td>
            <Table.Td>{dateTime(r.lastSeenAt)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
