import { Badge, Button, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { type Calendar, CalendarForm, DAYS, formatHours } from './CalendarForm.tsx';
import { PolicyForm } from './PolicyForm.tsx';
import { useAccountOptions, useCalendars, useDeleteSlaItem, usePolicies } from './queries.ts';
import { AdminModal, ConfirmButton } from './ui.tsx';

type Policy = Schemas['SlaPolicyView'];
type Editing = { kind: 'calendar'; item: Calendar | null } | { kind: 'policy'; item: Policy | null };

/** Business minutes as the desk says them: 15 min, 4 h, 9 h 30 min. */
export const minutes = (m: number) =>
  m < 60 ? `${m} min` : m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;

const BuiltIn = ({ on }: { on: boolean }) =>
  on ? (
    <Badge variant="light" c="dark.9" color="gray" ml="xs">
      built-in
    </Badge>
  ) : null;

/** The week at a glance: days with the same hours grouped ("Mon–Fri 08:00-17:00"). */
function weekSummary(c: Calendar) {
  const runs: { from: string; to: string; hours: string }[] = [];
  for (const [d, label] of DAYS) {
    const hours = formatHours(c.weeklyHours[d]) || 'closed';
    const last = runs.at(-1);
    if (last?.hours === hours) last.to = label.slice(0, 3);
    else runs.push({ from: label.slice(0, 3), to: label.slice(0, 3), hours });
  }
  return runs.map((r) => `${r.from === r.to ? r.from : `${r.from}–${r.to}`} ${r.hours}`).join('; ');
}

/** SLA calendars (when clocks run) and policies (which cases get which targets). */
export default function SlaPage() {
  const calendars = useCalendars();
  const policies = usePolicies();
  const accounts = useAccountOptions();
  const [editing, setEditing] = useState<Editing | null>(null);
  const close = () => setEditing(null);
  const calendarName = new Map((calendars.data?.items ?? []).map((c) => [c.id, c.name]));
  const accountName = new Map((accounts.data ?? []).map((a) => [Number(a.value), a.label]));

  const applies = (m: Policy['match']) =>
    [
      m.caseTypes?.map((t) => t.replace(/_/g, ' ')).join('/'),
      m.priorities?.join('/'),
      m.vipTiers && `VIP ${m.vipTiers.join('/')}`,
      m.accountIds?.map((id) => accountName.get(id) ?? `account #${id}`).join(', '),
    ]
      .filter(Boolean)
      .join(' · ') || 'any case';

  return (
    <Stack gap="xl">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            SLA calendars
          </Title>
          <Button onClick={() => setEditing({ kind: 'calendar', item: null })}>New calendar</Button>
        </Group>
        <ErrorAlert error={calendars.error} />
        <Table striped aria-label="SLA calendars">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Time zone</Table.Th>
              <Table.Th>Weekly hours</Table.Th>
              <Table.Th>Closed on</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(calendars.data?.items ?? []).map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  {c.name}
                  <BuiltIn on={c.builtIn} />
                </Table.Td>
                <Table.Td>{c.timeZone}</Table.Td>
                <Table.Td>{weekSummary(c)}</Table.Td>
                <Table.Td>
                  {[
                    c.holidays &&
                      `${c.holidays.closedTypes.join('/')} holidays in ${[c.holidays.country, c.holidays.state, c.holidays.region].filter(Boolean).join('-')}`,
                    ...c.closedDates,
                  ]
                    .filter(Boolean)
                    .join(', ') || '—'}
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-sm"
                    variant="default"
                    aria-label={`Edit calendar ${c.name}`}
                    onClick={() => setEditing({ kind: 'calendar', item: c })}
                  >
                    Edit
                  </Button>
                  {!c.builtIn && <DeleteSlaItem kind="calendar" item={c} />}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>

      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            SLA policies
          </Title>
          <Button onClick={() => setEditing({ kind: 'policy', item: null })}>New policy</Button>
        </Group>
        <Text size="sm" c="dimmed">
          A case gets the most specific policy that matches it (account, then type, then priority, then VIP tier).
        </Text>
        <ErrorAlert error={policies.error} />
        <Table striped aria-label="SLA policies">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Applies to</Table.Th>
              <Table.Th>Calendar</Table.Th>
              <Table.Th>First response</Table.Th>
              <Table.Th>Update every</Table.Th>
              <Table.Th>Resolution</Table.Th>
              <Table.Th>Paused while</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(policies.data?.items ?? []).map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  {p.name}
                  <BuiltIn on={p.builtIn} />
                </Table.Td>
                <Table.Td>{applies(p.match)}</Table.Td>
                <Table.Td>{calendarName.get(p.calendarId) ?? `#${p.calendarId}`}</Table.Td>
                <Table.Td>{minutes(p.targets.firstResponseMinutes)}</Table.Td>
                <Table.Td>{minutes(p.targets.periodicUpdateMinutes)}</Table.Td>
                <Table.Td>{minutes(p.targets.resolutionMinutes)}</Table.Td>
                <Table.Td>{p.pauseStates.map((s) => s.replace(/_/g, ' ')).join(', ') || '—'}</Table.Td>
                <Table.Td>
                  <Button
                    size="compact-sm"
                    variant="default"
                    aria-label={`Edit policy ${p.name}`}
                    onClick={() => setEditing({ kind: 'policy', item: p })}
                  >
                    Edit
                  </Button>
                  {!p.builtIn && <DeleteSlaItem kind="policy" item={p} />}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>

      <AdminModal
        opened={editing !== null}
        onClose={close}
        size="xl"
        title={
          editing
            ? editing.item
              ? `Edit ${editing.kind} ${editing.item.name}`
              : `New ${editing.kind === 'calendar' ? 'calendar' : 'policy'}`
            : ''
        }
      >
        {editing?.kind === 'calendar' && <CalendarForm calendar={editing.item} onDone={close} />}
        {editing?.kind === 'policy' && <PolicyForm policy={editing.item} onDone={close} />}
      </AdminModal>
    </Stack>
  );
}

/** Built-in rows have no delete (the seed keeps them); a calendar a policy uses is refused with the policies named. */
function DeleteSlaItem({ kind, item }: { kind: 'calendar' | 'policy'; item: { id: number; name: string } }) {
  const del = useDeleteSlaItem();
  return (
    <ConfirmButton
      label="Delete"
      ariaLabel={`Delete ${kind} ${item.name}`}
      title={`Delete the ${kind} ${item.name}?`}
      confirmLabel="Delete"
      onConfirm={() => del.mutateAsync({ kind, id: item.id })}
    >
      <Text size="sm">
        {kind === 'calendar'
          ? 'A calendar an SLA policy uses cannot be deleted: change those policies first.'
          : 'The open cases this policy matched fall to the next most specific policy.'}
      </Text>
    </ConfirmButton>
  );
}
