import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { AlarmsNav } from './AlarmsNav.tsx';
import {
  ALARM_TYPES,
  type Alarm,
  type AlarmType,
  alarmWords,
  caseOf,
  clearedByKey,
  deviceOf,
  ruleOf,
} from './alarm-words.ts';

// Badges keep their whole word (miw): a long "what" would otherwise squeeze them to "MAJ…".
const SEVERITY_COLOR: Record<Alarm['severity'], string> = {
  critical: 'red',
  major: 'orange',
  minor: 'yellow',
  warning: 'blue',
};

/**
 * Alarms (issues 17, 17.1): what the watches found before anyone called — a SIM silent for longer than its own
 * rhythm allows, a SIM the network keeps refusing, a network or APN refusing many SIMs — each raised at the instant
 * it became so. Active first by default; acknowledge ("someone is on it") or clear.
 */
export default function AlarmsPage() {
  const { t, dateTime, number, bytes } = useI18n();
  const qc = useQueryClient();
  const [status, setStatus] = useState<'active' | 'any'>('active');
  const [iccid, setIccid] = useState('');
  const [type, setType] = useState<AlarmType | ''>('');
  // One row per outage: a network's or APN's SIM alarms under its fleet alarm, opened on demand (issue 17.2).
  const [grouped, setGrouped] = useState(true);
  const [outage, setOutage] = useState<Alarm | null>(null);
  const sim = iccid.trim();
  const group = outage ? { parentId: outage.id } : grouped && !sim ? { grouped: 'true' as const } : {};
  const list = useQuery({
    queryKey: ['alarms', status, sim, type, group],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/alarms', {
          params: {
            query: { status, limit: 200, ...(sim ? { iccid: sim } : {}), ...(type ? { type } : {}), ...group },
          },
        }),
      ),
    refetchInterval: 15_000,
  });
  const act = useMutation({
    mutationFn: (v: { id: number; action: 'acknowledge' | 'clear' }) =>
      v.action === 'acknowledge'
        ? unwrap(api.POST('/api/v1/alarms/{id}/acknowledge', { params: { path: { id: v.id } }, body: {} }))
        : unwrap(api.POST('/api/v1/alarms/{id}/clear', { params: { path: { id: v.id } }, body: {} })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alarms'] }),
  });
  const items = deskAlarms(list.data?.items ?? []);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h3">
          Alarms
        </Title>
        <Group align="flex-end">
          <NativeSelect
            label={t('alarms.type.label')}
            value={type}
            onChange={(e) => setType(e.currentTarget.value as AlarmType | '')}
            data={[
              { value: '', label: t('alarms.type.any') },
              ...ALARM_TYPES.map((x) => ({ value: x, label: t(`alarms.type.${x}`) })),
            ]}
          />
          <TextInput label="SIM" placeholder="ICCID" value={iccid} onChange={(e) => setIccid(e.currentTarget.value)} />
          <Checkbox
            label={t('alarms.groupByOutage')}
            checked={grouped}
            onChange={(e) => setGrouped(e.currentTarget.checked)}
            mb={8}
          />
          <SegmentedControl
            aria-label="Which alarms"
            value={status}
            onChange={(v) => setStatus(v as 'active' | 'any')}
            data={[
              { value: 'active', label: 'Active' },
              { value: 'any', label: 'All' },
            ]}
          />
        </Group>
      </Group>
      <AlarmsNav />
      {outage && (
        <Group gap="sm">
          <Text fw={600}>
            {t('alarms.outageOf')} {originatorName(outage, t)}
          </Text>
          <Button size="compact-sm" variant="default" onClick={() => setOutage(null)}>
            {t('alarms.allAlarms')}
          </Button>
        </Group>
      )}
      <ErrorAlert error={list.error ?? act.error} />
      {list.isSuccess && items.length === 0 && (
        <Text c="dimmed">{status === 'active' ? 'No active alarm.' : 'No alarm yet.'}</Text>
      )}
      {items.length > 0 && (
        <Table striped aria-label="Alarms">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('alarms.col.severity')}</Table.Th>
              <Table.Th>{t('alarms.col.raisedOn')}</Table.Th>
              <Table.Th>{t('alarms.col.what')}</Table.Th>
              <Table.Th>{t('alarms.col.seen')}</Table.Th>
              <Table.Th>{t('alarms.col.state')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((a) => {
              const on = originatorName(a, t);
              return (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <Badge variant="light" c="dark.9" miw="max-content" color={SEVERITY_COLOR[a.severity]}>
                      {a.severity}
                    </Badge>
                  </Table.Td>
                  <Table.Td ff={a.originator.type === 'sim' ? 'monospace' : undefined}>
                    {a.originator.iccid ? (
                      <Link to={`/sims/${a.originator.iccid}`}>{a.originator.iccid}</Link>
                    ) : a.originator.type === 'rule' ? (
                      <Link to={`/alarms/rules/${a.originator.id}`}>{on}</Link>
                    ) : (
                      on
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" fw={600} c="dimmed">
                      {/* The alarm's own page: its traffic chart (AlarmPage.tsx). */}
                      <Anchor
                        component={Link}
                        to={`/alarms/${a.id}`}
                        size="xs"
                        fw={600}
                        aria-label={`${t(`alarms.type.${a.type}`)} — ${on}`}
                      >
                        {t(`alarms.type.${a.type}`)}
                      </Anchor>
                    </Text>
                    {alarmWords(a, { dateTime, number, bytes })}
                    <Follows alarm={a} />
                    {(a.groupSize ?? 0) > 0 && (
                      <Anchor
                        component="button"
                        size="xs"
                        aria-label={`The ${a.groupSize} SIM alarms of ${on}`}
                        onClick={() => setOutage(a)}
                      >
                        {t('alarms.simAlarms').replace('{count}', number(a.groupSize ?? 0))}
                      </Anchor>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {dateTime(a.firstSeenAt)}
                    {a.count > 1 ? ` · ${a.count}× to ${dateTime(a.lastSeenAt)}` : ''}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <Badge
                        variant="light"
                        c="dark.9"
                        miw="max-content"
                        color={a.status === 'active' ? 'orange' : 'gray'}
                      >
                        {a.status === 'active'
                          ? 'active'
                          : `cleared${a.clearedBy === 'condition' && clearedByKey(a.type, a.details) ? ` (${t(clearedByKey(a.type, a.details)!)})` : ''}`}
                      </Badge>
                      {a.acknowledged && (
                        <Badge variant="light" c="dark.9" miw="max-content" color="blue">
                          acknowledged
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {a.status === 'active' && (
                      <Group gap={4} wrap="nowrap">
                        {!a.acknowledged && (
                          <Button
                            size="compact-sm"
                            variant="default"
                            aria-label={`Acknowledge the alarm of ${on}`}
                            onClick={() => act.mutate({ id: a.id, action: 'acknowledge' })}
                          >
                            Acknowledge
                          </Button>
                        )}
                        <Button
                          size="compact-sm"
                          variant="default"
                          aria-label={`Clear the alarm of ${on}`}
                          onClick={() => act.mutate({ id: a.id, action: 'clear' })}
                        >
                          Clear
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/** The desk's view of each alarm: staff are answered in it (a customer gets CustomerAlarm, in the portal). */
const deskAlarms = (items: readonly (Alarm | Schemas['CustomerAlarm'])[]): Alarm[] =>
  items.filter((a): a is Alarm => 'originator' in a);

/**
 * Who the alarm is about, as the buttons and the column name it: the SIM's ICCID, "Network 26201", "APN iot.x",
 * "Rule Quiet meters", "Cabinet 7 · temperature_c" (a device's metric; the console has no device page to link to).
 */
function originatorName(a: Alarm, t: ReturnType<typeof useI18n>['t']): string {
  const o = a.originator;
  const device = deviceOf(a);
  if (device) return `${device.name} · ${device.metric}`;
  if (o.type === 'plmn') return `${t('alarms.originator.plmn')} ${o.id}`;
  if (o.type === 'apn') return `${t('alarms.originator.apn')} ${o.id}`;
  if (o.type === 'rule') return `${t('alarms.rule')} ${ruleOf(a) ?? `#${o.id}`}`;
  return o.iccid ?? `SIM ${o.id}`;
}

/** The rule that raised it and the case it opened or joined, where there are. */
function Follows({ alarm }: { alarm: Alarm }) {
  const { t } = useI18n();
  // A failed rule's alarm names its rule in the originator column already.
  const rule = alarm.originator.type === 'rule' ? null : ruleOf(alarm);
  const caseNumber = caseOf(alarm);
  if (!rule && !caseNumber && alarm.parentId === null) return null;
  return (
    <Text size="xs" c="dimmed">
      {alarm.parentId !== null && (
        <>
          {/* Underlined: inside a sentence a link must not be told by its colour alone. */}
          {t('alarms.partOf')}{' '}
          <Anchor component={Link} to={`/alarms/${alarm.parentId}`} size="xs" underline="always">
            #{alarm.parentId}
          </Anchor>
          {(rule || caseNumber) && ' · '}
        </>
      )}
      {rule && `${t('alarms.rule')}: ${rule}`}
      {rule && caseNumber && ' · '}
      {caseNumber && (
        <>
          {t('alarms.case')}{' '}
          <Anchor component={Link} to={`/cases/${caseNumber}`} size="xs">
            {caseNumber}
          </Anchor>
        </>
      )}
    </Text>
  );
}
