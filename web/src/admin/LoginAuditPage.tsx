import { Badge, Button, Group, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { type LoginEventFilter, useLoginEvents } from './queries.ts';

type Outcome = Schemas['LoginEvent']['outcome'];
const OUTCOMES: { value: Outcome | ''; label: string }[] = [
  { value: '', label: 'All outcomes' },
  { value: 'success', label: 'success' },
  { value: 'failure', label: 'failure' },
  { value: 'locked', label: 'locked (the failure that locked the account)' },
  { value: 'unlocked', label: 'unlocked (by an admin)' },
];
const COLOR: Record<Outcome, string> = { success: 'teal.9', failure: 'red.9', locked: 'orange.9', unlocked: 'blue.9' };

/**
 * The login audit: logins that reached the password check, locks and unlocks, newest first. Filters and the page
 * live in the URL, so the users screen links to one user's logins. Refused (429) attempts are not listed.
 */
export default function LoginAuditPage() {
  const { dateTime } = useI18n();
  const [search, setSearch] = useSearchParams();
  const userId = search.get('userId');
  const outcome = (search.get('outcome') ?? '') as Outcome | '';
  const cursor = search.get('cursor');
  const filter: LoginEventFilter = {
    ...(userId && /^\d+$/.test(userId) ? { userId: Number(userId) } : {}),
    ...(outcome ? { outcome } : {}),
    ...(cursor ? { cursor } : {}),
  };
  const events = useLoginEvents(filter);
  // A filter change starts again at the newest events.
  const change = (k: 'userId' | 'outcome' | 'cursor', v: string | null) => {
    const next = new URLSearchParams(search);
    if (k !== 'cursor') next.delete('cursor');
    if (v) next.set(k, v);
    else next.delete(k);
    setSearch(next);
  };

  return (
    <Stack>
      <Title order={2} size="h4">
        Login audit
      </Title>
      <Text size="sm" c="dimmed">
        Logins that reached the password check, the failure that locked an account and each unlock, kept 90 days.
        Attempts refused by the throttle (answered 429) are not listed one by one.
      </Text>
      <Group align="flex-end">
        <NativeSelect
          label="Outcome"
          data={OUTCOMES}
          value={outcome}
          onChange={(e) => change('outcome', e.currentTarget.value || null)}
        />
        {userId && (
          <Button variant="default" onClick={() => change('userId', null)}>
            All users (now user #{userId})
          </Button>
        )}
      </Group>
      <ErrorAlert error={events.error} />
      <Table striped aria-label="Login audit">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Address</Table.Th>
            <Table.Th>User agent</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(events.data?.items ?? []).map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>{dateTime(e.at)}</Table.Td>
              <Table.Td>
                <Badge variant="outline" color={COLOR[e.outcome]}>
                  {e.outcome}
                </Badge>
              </Table.Td>
              <Table.Td>{e.byUserId !== null ? `by admin #${e.byUserId}` : (e.reason ?? '—')}</Table.Td>
              <Table.Td>
                {e.email}
                {e.userId === null && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    (no such user)
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{e.address}</Table.Td>
              <Table.Td style={{ maxWidth: 280, overflowWrap: 'anywhere' }}>{e.userAgent ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {events.isPending && <Text c="dimmed">Loading…</Text>}
      {events.data?.items.length === 0 && <Text c="dimmed">No login recorded with these filters.</Text>}
      <Group>
        {cursor && (
          <Button variant="default" onClick={() => change('cursor', null)}>
            Newest
          </Button>
        )}
        {events.data?.nextCursor && (
          <Button variant="default" onClick={() => change('cursor', events.data.nextCursor)}>
            Older
          </Button>
        )}
      </Group>
    </Stack>
  );
}
