import { Anchor, Badge, Card, Grid, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

/** One account: where it sits in the tree, its contacts, VIP tier, the plans it owns, and links to its SIMs and cases. */
export default function AccountPage() {
  const id = Number(useParams().id);
  const { dateTime } = useI18n();
  const account = useQuery({
    queryKey: ['accounts', id],
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{id}', { params: { path: { id } } })),
  });
  const children = useQuery({
    queryKey: ['accounts', id, 'children'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts', { params: { query: { parentId: id, limit: 200 } } })),
  });
  const contacts = useQuery({
    queryKey: ['accounts', id, 'contacts'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{id}/contacts', { params: { path: { id } } })),
  });
  const plans = useQuery({
    queryKey: ['accounts', id, 'plans'],
    queryFn: () => unwrap(api.GET('/api/v1/communication-plans', { params: { query: { accountId: id, limit: 100 } } })),
  });
  if (account.error) return <ErrorAlert error={account.error} />;
  const a = account.data;
  if (!a) return <Text>Loading…</Text>;
  return (
    <Stack>
      <Title order={1} size="h3">
        {a.name}{' '}
        <Text span c="dimmed" ff="monospace">
          {a.number}
        </Text>
      </Title>
      <Group gap="xs">
        <Badge variant="light" c="dark.9">
          {a.kind.replace(/_/g, ' ')}
        </Badge>
        <Badge variant="light" c="dark.9" color={a.vipTier === 'standard' ? 'gray' : 'yellow'}>
          VIP {a.vipTier}
        </Badge>
        <Text size="sm">
          {a.language} · {a.timeZone} · {a.country} · since {dateTime(a.createdAt)}
        </Text>
      </Group>
      <Group gap="md">
        {a.parentId !== null && (
          <Anchor component={Link} to={`/accounts/${a.parentId}`}>
            Parent account
          </Anchor>
        )}
        <Anchor component={Link} to={`/sims?accountId=${a.id}`}>
          SIMs
        </Anchor>
        <Anchor component={Link} to={`/cases?accountId=${a.id}`}>
          Cases
        </Anchor>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder>
            <Title order={2} size="h5" mb="xs">
              Contacts
            </Title>
            <ErrorAlert error={contacts.error} />
            <Table fz="sm" aria-label="Contacts">
              <Table.Tbody>
                {(contacts.data?.items ?? []).map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>{c.name}</Table.Td>
                    <Table.Td>{c.email ?? c.phone ?? '—'}</Table.Td>
                    <Table.Td>{c.roles.join(', ')}</Table.Td>
                    <Table.Td>{c.language}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder>
            <Title order={2} size="h5" mb="xs">
              Sub-accounts
            </Title>
            {(children.data?.items ?? []).length === 0 && <Text size="sm">None</Text>}
            {(children.data?.items ?? []).map((c) => (
              <Text size="sm" key={c.id}>
                <Anchor component={Link} to={`/accounts/${c.id}`}>
                  {c.name}
                </Anchor>{' '}
                ({c.number})
              </Text>
            ))}
            <Title order={2} size="h5" mt="md" mb="xs">
              Communication plans
            </Title>
            <ErrorAlert error={plans.error} />
            {(plans.data?.items ?? []).map((p) => (
              <Text size="sm" key={p.id}>
                {p.name} — APN {p.apns.join(', ')}
              </Text>
            ))}
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
