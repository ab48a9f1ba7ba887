import {
  Alert,
  Badge,
  Button,
  Group,
  NativeSelect,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { LANGUAGES, type Language, useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useAccountOptions, useCreateUser, useUnlockUser, useUsers } from './queries.ts';
import { EditUserDialog, UserTokensDialog } from './UserDialogs.tsx';
import { AdminForm, AdminModal, fieldError } from './ui.tsx';

type Role = Schemas['CreateUserRequestInput']['role'];
type Form = {
  email: string;
  name: string;
  role: Role;
  accountId: string | null;
  language: Language | '';
  password: string;
};
const EMPTY: Form = { email: '', name: '', role: 'agent', accountId: null, language: '', password: '' };
const ROLES: { value: Role; label: string }[] = [
  { value: 'agent', label: 'agent (provider staff)' },
  { value: 'admin', label: 'admin (provider staff, may change settings)' },
  { value: 'customer', label: "customer (one account's portal)" },
];

/** The people who log in: staff (admins, agents) and customers tied to one account. */
export default function UsersPage() {
  const { dateTime } = useI18n();
  // The page is in the URL (the previous page's nextCursor), so a page deep-links and survives reload.
  const [search, setSearch] = useSearchParams();
  const cursor = search.get('cursor') ?? undefined;
  const users = useUsers(cursor);
  const [editing, setEditing] = useState<Schemas['User'] | null>(null);
  const [tokensOf, setTokensOf] = useState<Schemas['User'] | null>(null);
  const accounts = useAccountOptions();
  const create = useCreateUser();
  const unlock = useUnlockUser();
  // The draft of a new user; it outlives a failed save so nothing typed is lost.
  const [form, setForm] = useState<Form | null>(null);
  // What the last create or unlock did, in a status line (an unlock's text is the API's own message).
  const [created, setCreated] = useState<string | null>(null);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => f && { ...f, [k]: v });
  const accountName = new Map((accounts.data ?? []).map((a) => [Number(a.value), a.label]));

  const submit = () => {
    if (!form) return;
    const { accountId, language, ...rest } = form;
    create.mutate(
      {
        ...rest,
        // Empty: the API's default, the account's language for a customer (the portal speaks it), en for staff.
        ...(language ? { language } : {}),
        ...(form.role === 'customer' && accountId ? { accountId: Number(accountId) } : {}),
      },
      {
        onSuccess: (u) => {
          setCreated(`${u.name} <${u.email}> can now log in as ${u.role}.`);
          setForm(null);
        },
      },
    );
  };
  const err = create.error;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          Users
        </Title>
        <Button
          onClick={() => {
            create.reset();
            setCreated(null);
            setForm(EMPTY);
          }}
        >
          New user
        </Button>
      </Group>
      {created && (
        <Alert
          color="teal"
          role="status"
          c="dark.9"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setCreated(null)}
        >
          {created}
        </Alert>
      )}
      <ErrorAlert error={users.error} />
      <ErrorAlert error={unlock.error} />
      <Table striped aria-label="Users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Account</Table.Th>
            <Table.Th>Language</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(users.data?.items ?? []).map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>{u.name}</Table.Td>
              <Table.Td>{u.email}</Table.Td>
              <Table.Td>
                <Badge
                  variant="light"
                  c="dark.9"
                  color={u.role === 'admin' ? 'grape' : u.role === 'agent' ? 'blue' : 'gray'}
                >
                  {u.role}
                </Badge>
              </Table.Td>
              <Table.Td>{u.accountId === null ? '—' : (accountName.get(u.accountId) ?? `#${u.accountId}`)}</Table.Td>
              <Table.Td>{u.language}</Table.Td>
              <Table.Td>
                {u.disabled ? (
                  <Badge color="red.9" variant="outline">
                    disabled
                  </Badge>
                ) : (
                  'active'
                )}
                {/* The login throttle (429s): until when a login is refused, and the failures in a row behind it. */}
                {u.lockedUntil && (
                  <Text size="xs" c="red.9" fw={600}>
                    login refused until {dateTime(u.lockedUntil)}
                  </Text>
                )}
                {u.failedLogins > 0 && (
                  <Text size="xs" c="dark.9">
                    {u.failedLogins} failed login{u.failedLogins === 1 ? '' : 's'} in a row
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{dateTime(u.createdAt)}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button
                    size="compact-sm"
                    variant="default"
                    aria-label={`Edit ${u.email}`}
                    onClick={() => setEditing(u)}
                  >
                    Edit
                  </Button>
                  <Button
                    size="compact-sm"
                    variant="default"
                    aria-label={`API tokens of ${u.email}`}
                    onClick={() => setTokensOf(u)}
                  >
                    Tokens
                  </Button>
                  <Button
                    size="compact-sm"
                    variant="default"
                    component={Link}
                    to={`/admin/logins?userId=${u.id}`}
                    aria-label={`Logins of ${u.email}`}
                  >
                    Logins
                  </Button>
                  {u.failedLogins > 0 && (
                    <Button
                      size="compact-sm"
                      variant="default"
                      aria-label={`Unlock ${u.email}`}
                      loading={unlock.isPending && unlock.variables === u.id}
                      onClick={() => {
                        setCreated(null);
                        unlock.mutate(u.id, { onSuccess: (r) => setCreated(r.message) });
                      }}
                    >
                      Unlock
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {users.isPending && <Text c="dimmed">Loading…</Text>}
      <Group>
        {cursor && (
          <Button variant="default" onClick={() => setSearch({})}>
            First page
          </Button>
        )}
        {users.data?.nextCursor && (
          <Button variant="default" onClick={() => setSearch({ cursor: users.data.nextCursor ?? '' })}>
            Next page
          </Button>
        )}
      </Group>
      <EditUserDialog user={editing} onClose={() => setEditing(null)} />
      <UserTokensDialog user={tokensOf} onClose={() => setTokensOf(null)} />

      <AdminModal opened={form !== null} onClose={() => setForm(null)} title="New user" size="lg">
        {form && (
          <AdminForm
            onSubmit={submit}
            error={err}
            busy={create.isPending}
            submitLabel="Create user"
            onCancel={() => setForm(null)}
          >
            <TextInput
              label="Email"
              required
              value={form.email}
              onChange={(e) => set('email', e.currentTarget.value)}
              error={fieldError(err, 'email')}
            />
            <TextInput
              label="Name"
              required
              value={form.name}
              onChange={(e) => set('name', e.currentTarget.value)}
              error={fieldError(err, 'name')}
            />
            <NativeSelect
              label="Role"
              data={ROLES}
              value={form.role}
              onChange={(e) => set('role', e.currentTarget.value as Role)}
              error={fieldError(err, 'role')}
            />
            {form.role === 'customer' && (
              <Select
                label="Account"
                description="The customer sees this account and the accounts under it"
                searchable
                clearable
                data={accounts.data ?? []}
                value={form.accountId}
                onChange={(v) => set('accountId', v)}
                error={fieldError(err, 'accountId')}
              />
            )}
            <NativeSelect
              label="Language"
              data={[{ value: '', label: "Default (a customer: the account's; staff: en)" }, ...LANGUAGES]}
              value={form.language}
              onChange={(e) => set('language', e.currentTarget.value as Language | '')}
              error={fieldError(err, 'language')}
            />
            <PasswordInput
              label="Password"
              description="At least 10 characters"
              required
              value={form.password}
              onChange={(e) => set('password', e.currentTarget.value)}
              error={fieldError(err, 'password')}
            />
          </AdminForm>
        )}
      </AdminModal>
    </Stack>
  );
}
