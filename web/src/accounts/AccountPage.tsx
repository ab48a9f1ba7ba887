import { Anchor, Badge, Button, Card, Grid, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { READABLE } from '../admin/ui.tsx';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { isStaff, useMe } from '../auth/session.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { ContactDialog, VipTierDialog } from './AccountDialogs.tsx';

/**
 * One account: where it sits in the tree (parent and sub-accounts, each a link), its contacts (added and edited
 * here), its VIP tier (changed here by staff; the server recomputes its open cases' priorities), the plans it may
 * use (shared ones and those of its own or its parents), and links to its SIMs and its cases, each list filtered by the account.
 */
export default function AccountPage() {
  const id = Number(useParams().id);
  const { dateTime } = useI18n();
  const me = useMe();
  const staff = me.data ? isStaff(me.data) : false;
  const [tierOpen, setTierOpen] = useState(false);
  const [contact, setContact] = useState<Schemas['Contact'] | 'new' | null>(null);
  const account = useQuery({
    queryKey: ['accounts', id],
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{id}', { params: { path: { id } } })),
  });
  const parentId = account.data?.parentId ?? null;
  const parent = useQuery({
    queryKey: ['accounts', parentId],
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{id}', { params: { path: { id: parentId ?? 0 } } })),
    enabled: parentId !== null,
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
    queryFn: async () => {
      const query = { accountId: id, limit: 100 };
      const [comm, rate] = await Promise.all([
        unwrap(api.GET('/api/v1/communication-plans', { params: { query } })),
        unwrap(api.GET('/api/v1/rate-plans', { params: { query } })),
      ]);
      return { comm: comm.items, rate: rate.items };
    },
  });
  if (account.error) return <ErrorAlert error={account.error} />;
  const a = account.data;
  if (!a) return <Text>Loading…</Text>;
  return (
    <Stack style={READABLE}>
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
        {staff && (
          <Button size="compact-sm" variant="default" onClick={() => setTierOpen(true)}>
            Change VIP tier
          </Button>
        )}
        <Text size="sm">
          {a.language} · {a.timeZone} · {a.country} · since {dateTime(a.createdAt)}
        </Text>
      </Group>
      <Group gap="md" component="nav" aria-label="This account">
        {a.parentId !== null && (
          <Text size="sm">
            Part of{' '}
            <Anchor component={Link} to={`/accounts/${a.parentId}`}>
              {parent.data?.name ?? `account #${a.parentId}`}
            </Anchor>
          </Text>
        )}
        <Anchor component={Link} to={`/sims?accountId=${a.id}`}>
          SIMs of this account
        </Anchor>
        <Anchor component={Link} to={`/cases?accountId=${a.id}`}>
          Cases of this account
        </Anchor>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder>
            <Group justify="space-between" mb="xs">
              <Title order={2} size="h5">
                Contacts
              </Title>
              <Button size="compact-sm" onClick={() => setContact('new')}>
                Add contact
              </Button>
            </Group>
            <ErrorAlert error={contacts.error} />
            <Table fz="sm" aria-label="Contacts">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Reach</Table.Th>
                  <Table.Th>Roles</Table.Th>
                  <Table.Th>Language</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(contacts.data?.items ?? []).map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>{c.name}</Table.Td>
                    <Table.Td>{[c.email, c.phone].filter(Boolean).join(' · ') || '—'}</Table.Td>
                    <Table.Td>{c.roles.join(', ') || '—'}</Table.Td>
                    <Table.Td>{c.language}</Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-sm"
                        variant="default"
                        aria-label={`Edit contact ${c.name}`}
                        onClick={() => setContact(c)}
                      >
                        Edit
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {contacts.isSuccess && contacts.data.items.length === 0 && <Text size="sm">No contact yet.</Text>}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder>
            <Title order={2} size="h5" mb="xs">
              Sub-accounts
            </Title>
            {children.isSuccess && children.data.items.length === 0 && <Text size="sm">None</Text>}
            {(children.data?.items ?? []).map((c) => (
              <Text size="sm" key={c.id}>
                <Anchor component={Link} to={`/accounts/${c.id}`}>
                  {c.name}
                </Anchor>{' '}
                ({c.number})
              </Text>
            ))}
            <Title order={2} size="h5" mt="md" mb="xs">
              Plans it may use
            </Title>
            <ErrorAlert error={plans.error} />
            {plans.isSuccess && plans.data.comm.length + plans.data.rate.length === 0 && <Text size="sm">None</Text>}
            {(plans.data?.comm ?? []).map((p) => (
              <Text size="sm" key={`c${p.id}`}>
                Communication: {p.name} — APN {p.apns.join(', ')}
              </Text>
            ))}
            {(plans.data?.rate ?? []).map((p) => (
              <Text size="sm" key={`r${p.id}`}>
                Rate: {p.name} — {p.monthlyFee} {p.currency} a month
              </Text>
            ))}
          </Card>
        </Grid.Col>
      </Grid>
      {staff && <VipTierDialog account={a} opened={tierOpen} onClose={() => setTierOpen(false)} />}
      <ContactDialog
        accountId={a.id}
        contact={contact === 'new' ? null : contact}
        opened={contact !== null}
        onClose={() => setContact(null)}
      />
    </Stack>
  );
}
