import { Table, Text } from '@mantine/core';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

/**
 * The devices a telemetry rule's backtest fired on, most alarms first: each by its name (or its id when it has none),
 * its alarms, the first, and the value farthest beyond the threshold at an alarm, in the metric's own unit. The console
 * has no device page yet, so the rows link nowhere.
 */
export function DeviceBacktestTable({ result, metric }: { result: Schemas['AlarmRuleBacktest']; metric: string }) {
  const { t, dateTime, number } = useI18n();
  if (result.devices.length === 0) return null;
  return (
    <>
      <Table striped aria-label="Devices it would have fired on">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('alarms.backtest.col.device')}</Table.Th>
            <Table.Th>Alarms</Table.Th>
            <Table.Th>First at</Table.Th>
            <Table.Th>
              {t('alarms.backtest.col.farthestValue')} ({metric || 'metric'})
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.devices.map((dev) => (
            <Table.Tr key={dev.deviceId}>
              <Table.Td>{dev.name ?? `device #${dev.deviceId}`}</Table.Td>
              <Table.Td>{number(dev.fired)}</Table.Td>
              <Table.Td>{dateTime(dev.firstAt)}</Table.Td>
              <Table.Td>{number(dev.farthestValue)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {result.devices.length < result.simsFired && (
        <Text size="sm" c="dimmed">
          The {result.devices.length} devices with the most alarms are shown, of {number(result.simsFired)}.
        </Text>
      )}
    </>
  );
}
