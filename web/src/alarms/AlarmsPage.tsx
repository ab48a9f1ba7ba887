import {
  Badge,
  Button,
  Group,
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

type Alarm = Schemas['Alarm'];
const SEVERITY_COLOR: Record<Alarm['severity'], string> = {
  critical: 'red',
  major: 'orange',
  minor: 'yellow',
  warning: 'blue',
};

/** What an alarm says, in the desk's words. */
function what(a: Alarm, dateTime: (iso: string) => string): string {
  const d = a.details as { lastEventAt?: string; lastEventType?: string; thresholdMinutes?: number };
  const hours = (m: number | undefined) => (m === undefined ? '?' : `${Math.round((m / 60) * 10) / 10} h`);
  return `Silent since ${d.lastEventAt ? dateTime(d.lastEventAt) : '?'} (${d.lastEventType ?? 'last event'}); its rhythm allows ${hours(d.thresholdMinutes)}`;
}

/**
 * Alarms (issue 17): what the watch found before anyone called — today a SIM silent for longer than its own rhythm
 * allows, raised at the instant it became so. Active first by default; acknowledge ("someone is on it") or clear.
 */
export default function AlarmsPage() {
  const { dateTime } = useI18n();
  const qc = useQueryClient();
  const [status, setStatus] = useState<'active' | 'any'>('active');
  const [iccid, setIccid] = useState('');
  const sim = iccid.trim();
  const list = useQuery({
    queryKey: ['alarms', status, sim],
    queryFn: () =>
      unwrap(api.GET('/api/v1/alarms', { params: { query: { status, limit: 200, ...(sim ? { iccid: sim } : {}) } } })),
    refetchInterval: 15_000,
  });
  const act = useMutation({
    mutationFn: (v: { id: number; action: 'acknowledge' | 'clear' }) =>
      v.action === 'acknowledge'
        ? unwrap(api.POST('/api/v1/alarms/{id}/acknowledge', { params: { path: { id: v.id } }, body: {} }))
        : unwrap(api.POST('/api/v1/alarms/{id}/clear', { params: { path: { id: v.id } }, body: {} })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alarms'] }),
  });
  const items = list.data?.items ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h3">
          Alarms
        </Title>
        <Group>
          <TextInput label="SIM" placeholder="ICCID" value={iccid} onChange={(e) => setIccid(e.currentTarget.value)} />
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
      <ErrorAlert error={list.error ?? act.error} />
      {list.isSuccess && items.length === 0 && (
        <Text c="dimmed">{status === 'active' ? 'No active alarm.' : 'No alarm yet.'}</Text>
      )}
      {items.length > 0 && (
        <Table striped aria-label="Alarms">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Severity</Table.Th>
              <Table.Th>SIM</Table.Th>
              <Table.Th>What</Table.Th>
              <Table.Th>Seen</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>
                  <Badge variant="light" c="dark.9" color={SEVERITY_COLOR[a.severity]}>
                    {a.severity}
                  </Badge>
                </Table.Td>
                <Table.Td ff="monospace">
                  {a.originator.iccid ? <Link to={`/sims/${a.originator.iccid}`}>{a.originator.iccid}</Link> : '—'}
                </Table.Td>
                <Table.Td>{what(a, dateTime)}</Table.Td>
                <Table.Td>
                  {dateTime(a.firstSeenAt)}
                  {a.count > 1 ? ` · ${a.count}× to ${dateTime(a.lastSeenAt)}` : ''}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge variant="light" c="dark.9" color={a.status === 'active' ? 'orange' : 'gray'}>
                      {a.status === 'active'
                        ? 'active'
                        : `cleared${a.clearedBy === 'condition' ? ' (talked again)' : ''}`}
                    </Badge>
                    {a.acknowledged && (
                      <Badge variant="light" c="dark.9" color="blue">
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
                          aria-label={`Acknowledge the alarm of ${a.originator.iccid ?? a.originator.id}`}
                          onClick={() => act.mutate({ id: a.id, action: 'acknowledge' })}
                        >
                          Acknowledge
                        </Button>
                      )}
                      <Button
                        size="compact-sm"
                        variant="default"
                        aria-label={`Clear the alarm of ${a.originator.iccid ?? a.originator.id}`}
                        onClick={() => act.mutate({ id: a.id, action: 'clear' })}
                      >
                        Clear
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
