import { Anchor, Badge, Button, Group, NativeSelect, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { alarmText, deviceText, fillIn, seenText } from './alarm-text.ts';
import { EnumBadge } from './PortalBadges.tsx';
import { type CustomerAlarm, usePortalAlarms } from './queries.ts';

type Status = 'active' | 'cleared';
type AlarmType = CustomerAlarm['type'];
/** The types a customer can be answered (the server's CUSTOMER_ALARM_TYPES), for the type filter. */
const TYPES = [
  'silence',
  'refusal_burst',
  'usage_drop',
  'usage_drift',
  'telemetry_threshold',
] as const satisfies readonly AlarmType[];

/**
 * The customer's alarms (issue 17, point 6): what the provider's monitoring found on their own SIMs and devices, in
 * their language — active ones by default (what needs attention), ended ones on demand, one SIM's when the SIM page
 * links here. Read only: the service desk acknowledges and clears. Filters and page live in the URL.
 */
export default function PortalAlarmsPage() {
  const { t, enumText } = useI18n();
  const [search, setSearch] = useSearchParams();
  const status: Status = search.get('status') === 'cleared' ? 'cleared' : 'active';
  const iccid = search.get('iccid') ?? undefined;
  const type = TYPES.find((x) => x === search.get('type'));
  const cursor = search.get('cursor') ?? undefined;
  const alarms = usePortalAlarms({ status, iccid, type, cursor });
  // A new filter starts at the first page; an unset value leaves the address.
  const go = (next: {
    status?: Status;
    iccid?: string | undefined;
    type?: AlarmType | undefined;
    cursor?: string | undefined;
  }) => {
    const v = { status, iccid, type, ...next };
    setSearch({
      ...(v.status === 'cleared' ? { status: 'cleared' } : {}),
      ...(v.iccid ? { iccid: v.iccid } : {}),
      ...(v.type ? { type: v.type } : {}),
      ...(next.cursor ? { cursor: next.cursor } : {}),
    });
  };
  const items = alarms.data?.items ?? [];
  return (
    <Stack>
      <Title order={1} size="h3">
        {t('portal.alarms.title')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('portal.alarms.intro')}
      </Text>
      <Group>
        <SegmentedControl
          aria-label={t('portal.alarms.which')}
          value={status}
          onChange={(v) => go({ status: v as Status })}
          data={(['active', 'cleared'] as const).map((s) => ({ value: s, label: enumText('alarmStatus', s) }))}
        />
        <NativeSelect
          aria-label={t('portal.alarms.type')}
          value={type ?? ''}
          onChange={(e) => go({ type: TYPES.find((x) => x === e.currentTarget.value) })}
          data={[
            { value: '', label: t('portal.alarms.allTypes') },
            ...TYPES.map((x) => ({ value: x, label: enumText('alarmType', x) })),
          ]}
        />
        {iccid && (
          <Group gap="xs">
            <Text size="sm">
              {t('portal.alarms.forSim')}{' '}
              <Text span ff="monospace">
                {iccid}
              </Text>
            </Text>
            <Button size="compact-sm" variant="default" onClick={() => go({ iccid: undefined })}>
              {t('portal.alarms.allSims')}
            </Button>
          </Group>
        )}
      </Group>
      <ErrorAlert error={alarms.error} />
      <Table striped aria-label={t('portal.alarms.title')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('portal.alarms.col.severity')}</Table.Th>
            <Table.Th>{t('portal.alarms.col.sim')}</Table.Th>
            <Table.Th>{t('portal.alarms.col.what')}</Table.Th>
            <Table.Th>{t('portal.alarms.col.seen')}</Table.Th>
            <Table.Th>{t('portal.alarms.col.state')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((a) => (
            <AlarmRow key={a.id} alarm={a} />
          ))}
        </Table.Tbody>
      </Table>
      {alarms.isSuccess && items.length === 0 && (
        <Text c="dimmed">{t(status === 'active' ? 'portal.alarms.emptyActive' : 'portal.alarms.emptyCleared')}</Text>
      )}
      <Group>
        {cursor && (
          <Button variant="default" onClick={() => go({})}>
            {t('common.first')}
          </Button>
        )}
        {alarms.data?.nextCursor && (
          <Button variant="default" onClick={() => go({ cursor: alarms.data.nextCursor ?? undefined })}>
            {t('common.next')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function AlarmRow({ alarm: a }: { alarm: CustomerAlarm }) {
  const i18n = useI18n();
  const { t, enumText, dateTime } = i18n;
  return (
    <Table.Tr>
      <Table.Td>
        <EnumBadge family="alarmSeverity" value={a.severity} />
      </Table.Td>
      {/* A device alarm names its device where a SIM alarm has its ICCID (the portal has no device page to link). */}
      <Table.Td ff={a.device ? undefined : 'monospace'}>
        {a.iccid ? (
          <Anchor component={Link} to={`/portal/sims/${a.iccid}`}>
            {a.iccid}
          </Anchor>
        ) : a.device ? (
          deviceText(a.device, i18n)
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td>
        <Text size="xs" fw={600} c="dimmed">
          {enumText('alarmType', a.type)}
        </Text>
        <Text size="sm">{alarmText(a, i18n)}</Text>
      </Table.Td>
      <Table.Td>{seenText(a, i18n)}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          <EnumBadge family="alarmStatus" value={a.status} />
          {a.clearedAt && <Text size="xs">{fillIn(t('portal.alarms.clearedAt'), { at: dateTime(a.clearedAt) })}</Text>}
          {a.acknowledged && a.status === 'active' && (
            <Badge variant="light" color="blue" c="dark.9" tt="none" miw="max-content">
              {t('portal.alarms.acknowledged')}
            </Badge>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
