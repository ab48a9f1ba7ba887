import { Badge, Button, Chip, Group, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import {
  TRACE_TYPES,
  type TraceType,
  useActions,
  useRequestAction,
  useSessions,
  useSimHistory,
  useTrace,
  useUsage,
} from './queries.ts';

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;

/** The SIM's live trace with type filters (newest first, refreshed every 5 s). */
export function TracePanel({ iccid }: { iccid: string }) {
  const { dateTime } = useI18n();
  const [types, setTypes] = useState<TraceType[]>([]);
  const trace = useTrace(iccid, types);
  return (
    <Stack gap="xs">
      <Chip.Group multiple value={types} onChange={(v) => setTypes(v as TraceType[])}>
        <Group gap={4}>
          {TRACE_TYPES.map((t) => (
            <Chip key={t} value={t} size="xs">
              {t}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      <ErrorAlert error={trace.error} />
      <Table striped aria-label="Network trace" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>PLMN</Table.Th>
            <Table.Th>APN</Table.Th>
            <Table.Th>Cause / detail</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...(trace.data?.items ?? [])].reverse().map((e) => (
            <Table.Tr key={`${e.id}-${e.ts}`}>
              <Table.Td>{dateTime(e.ts)}</Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" c="dark.9" color={/rejected/.test(e.type) ? 'red' : 'gray'}>
                  {e.type}
                </Badge>
              </Table.Td>
              <Table.Td>{e.network ? `${e.network.mcc}-${e.network.mnc}` : '—'}</Table.Td>
              <Table.Td>{e.apn ?? '—'}</Table.Td>
              <Table.Td>
                {e.cause !== undefined ? `#${e.cause} ${e.causeMeaning ?? ''}` : ''}
                {e.bytes_up !== undefined ? ` ↑${mb(e.bytes_up)} ↓${mb(e.bytes_down ?? 0)}` : ''}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {trace.isSuccess && trace.data.items.length === 0 && <Text c="dimmed">No network events in the last 24 h.</Text>}
    </Stack>
  );
}

/** Data per hour (48 h) or day (30 d) as bars: uplink and downlink stacked. A few lines of SVG, no chart library. */
export function UsagePanel({ iccid }: { iccid: string }) {
  const { dateTime } = useI18n();
  const [g, setG] = useState<'hour' | 'day'>('hour');
  const usage = useUsage(iccid, g);
  const items = usage.data?.items ?? [];
  const max = Math.max(1, ...items.map((i) => i.bytesUp + i.bytesDown));
  const w = 720;
  const h = 160;
  const bw = items.length > 0 ? w / items.length : w;
  return (
    <Stack gap="xs">
      <SegmentedControl
        value={g}
        onChange={(v) => setG(v as 'hour' | 'day')}
        data={[
          { value: 'hour', label: 'Per hour, 48 h' },
          { value: 'day', label: 'Per day, 30 days' },
        ]}
        w={320}
      />
      <ErrorAlert error={usage.error} />
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" height={h} role="img" aria-label={`Data usage per ${g}`}>
        {items.map((i, k) => {
          const up = (i.bytesUp / max) * (h - 10);
          const down = (i.bytesDown / max) * (h - 10);
          return (
            <g key={i.at}>
              <title>{`${dateTime(i.at)}: ↑${mb(i.bytesUp)} ↓${mb(i.bytesDown)}`}</title>
              <rect x={k * bw + 1} y={h - down} width={Math.max(bw - 2, 1)} height={down} fill="#1864ab" />
              <rect x={k * bw + 1} y={h - down - up} width={Math.max(bw - 2, 1)} height={up} fill="#74c0fc" />
            </g>
          );
        })}
      </svg>
      <Text size="sm">
        {items.length === 0
          ? 'No usage recorded in this window.'
          : `Total ↑${mb(items.reduce((s, i) => s + i.bytesUp, 0))} ↓${mb(items.reduce((s, i) => s + i.bytesDown, 0))}; peak ${mb(max)} per ${g}`}
      </Text>
    </Stack>
  );
}

export function SessionsPanel({ iccid }: { iccid: string }) {
  const { dateTime } = useI18n();
  const sessions = useSessions(iccid);
  return (
    <Stack gap="xs">
      <ErrorAlert error={sessions.error} />
      <Table striped aria-label="Data sessions" fz="sm">
        <Table.Tbody>
          {(sessions.data?.items ?? []).map((s) => (
            <Table.Tr key={s.sessionId}>
              <Table.Td>{dateTime(s.startedAt)}</Table.Td>
              <Table.Td>{s.open ? 'open' : dateTime(s.endedAt)}</Table.Td>
              <Table.Td>{s.apn ?? '—'}</Table.Td>
              <Table.Td>{s.network ? `${s.network.mcc}-${s.network.mnc}` : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** Who changed what and when (the SIM's audit), newest first. */
export function HistoryPanel({ iccid }: { iccid: string }) {
  const { dateTime } = useI18n();
  const history = useSimHistory(iccid);
  return (
    <Stack gap="xs">
      <ErrorAlert error={history.error} />
      {(history.data?.items ?? []).map((e) => (
        <Text size="sm" key={`${e.id}-${e.at}`}>
          {dateTime(e.at)} · {e.actor.label} · {e.action}
          {e.after ? ` → ${JSON.stringify(e.after).slice(0, 160)}` : ''}
          {e.reason ? ` (${e.reason})` : ''}
        </Text>
      ))}
    </Stack>
  );
}

/** Network actions with their outcome: a connectivity reset, a configuration SMS with the right APN. */
/**
 * The SIM's network actions with their outcome, and buttons to run one. On a case page (`caseNumber`), an action is
 * run for that case: the API writes its request and its outcome into the case's timeline, and the reason names it.
 */
export function ActionsPanel({ iccid, caseNumber }: { iccid: string; caseNumber?: string }) {
  const { dateTime } = useI18n();
  const actions = useActions(iccid);
  const request = useRequestAction(iccid, caseNumber);
  const [apn, setApn] = useState('');
  const forCase = caseNumber ? { caseNumber, reference: `case:${caseNumber}` } : {};
  return (
    <Stack gap="xs">
      <Group align="end">
        <Button
          size="xs"
          loading={request.isPending}
          onClick={() =>
            request.mutate({ kind: 'connectivity_reset', params: {}, reason: 'From the console', ...forCase })
          }
        >
          Reset connectivity
        </Button>
        <TextInput
          size="xs"
          label="APN for a configuration SMS"
          value={apn}
          onChange={(e) => setApn(e.currentTarget.value)}
        />
        <Button
          size="xs"
          variant="default"
          disabled={!apn.trim()}
          onClick={() => request.mutate({ kind: 'send_config_sms', params: { apn: apn.trim() }, ...forCase })}
        >
          Send configuration SMS
        </Button>
      </Group>
      <ErrorAlert error={request.error} />
      <Table striped aria-label="Network actions" fz="sm">
        <Table.Tbody>
          {(actions.data?.items ?? []).map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>{dateTime(a.requestedAt)}</Table.Td>
              <Table.Td>{a.kind.replace(/_/g, ' ')}</Table.Td>
              <Table.Td>
                <Badge
                  size="sm"
                  variant="light"
                  c="dark.9"
                  color={a.status === 'applied' ? 'teal' : a.status === 'failed' ? 'red' : 'gray'}
                >
                  {a.status}
                </Badge>
              </Table.Td>
              <Table.Td>{a.outcome ?? '…'}</Table.Td>
              <Table.Td>{a.requestedBy.label}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
