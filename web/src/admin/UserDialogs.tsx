import { Badge, Checkbox, Group, NativeSelect, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { LANGUAGES, type Language, useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useRevokeUserToken, useUpdateUser, useUserTokens } from './queries.ts';
import { AdminForm, AdminModal, ConfirmButton, fieldError } from './ui.tsx';

type User = Schemas['User'];
type Draft = { name: string; role: User['role']; language: Language; disabled: boolean };

/**
 * Edit a user: name, language, role (admin and agent swap; a customer stays a customer, the API says so) and
 * whether they may log in. What was typed stays when the save fails; the API's reasons show under each field.
 */
export function EditUserDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  return (
    <AdminModal opened={user !== null} onClose={onClose} title={user ? `Edit ${user.name}` : ''} size="lg">
      {user && <EditUserForm key={user.id} user={user} onClose={onClose} />}
    </AdminModal>
  );
}

function EditUserForm({ user, onClose }: { user: User; onClose: () => void }) {
  const update = useUpdateUser();
  const [d, setD] = useState<Draft>({
    name: user.name,
    role: user.role,
    language: (LANGUAGES as readonly string[]).includes(user.language) ? (user.language as Language) : 'en',
    disabled: user.disabled,
  });
  const err = update.error;
  const submit = () => {
    // Only what changed: an unchanged role of a customer is not "a role change".
    const body: Schemas['UpdateUserRequestInput'] = {};
    if (d.name !== user.name) body.name = d.name;
    if (d.role !== user.role) body.role = d.role;
    if (d.language !== user.language) body.language = d.language;
    if (d.disabled !== user.disabled) body.disabled = d.disabled;
    if (Object.keys(body).length === 0) return onClose();
    update.mutate({ id: user.id, body }, { onSuccess: onClose });
  };
  return (
    <AdminForm onSubmit={submit} error={err} busy={update.isPending} submitLabel="Save user" onCancel={onClose}>
      <Text size="sm">{user.email}</Text>
      <TextInput
        label="Name"
        required
        value={d.name}
        onChange={(e) => setD({ ...d, name: e.currentTarget.value })}
        error={fieldError(err, 'name')}
      />
      <NativeSelect
        label="Role"
        description="Admins and agents swap; a customer user stays tied to its account"
        data={['agent', 'admin', 'customer']}
        value={d.role}
        onChange={(e) => setD({ ...d, role: e.currentTarget.value as User['role'] })}
        error={fieldError(err, 'role')}
      />
      <NativeSelect
        label="Language"
        data={[...LANGUAGES]}
        value={d.language}
        onChange={(e) => setD({ ...d, language: e.currentTarget.value as Language })}
        error={fieldError(err, 'language')}
      />
      <Checkbox
        label="Disabled: cannot log in; their sessions end and their API tokens are refused until enabled again"
        checked={d.disabled}
        onChange={(e) => setD({ ...d, disabled: e.currentTarget.checked })}
        error={fieldError(err, 'disabled')}
      />
    </AdminForm>
  );
}

/** Another user's live API tokens, each revocable (a leaked secret, an integration retired). */
export function UserTokensDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { dateTime } = useI18n();
  const tokens = useUserTokens(user?.id ?? null);
  const revoke = useRevokeUserToken();
  return (
    <AdminModal opened={user !== null} onClose={onClose} title={user ? `API tokens of ${user.name}` : ''} size="xl">
      <ErrorAlert error={tokens.error} />
      <Table striped aria-label={user ? `API tokens of ${user.name}` : 'API tokens'}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Scopes</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(tokens.data?.items ?? []).map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>{t.name}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {t.scopes.map((s) => (
                    <Badge key={s} variant="light" c="dark.9" color="gray">
                      {s}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{t.lastUsedAt ? dateTime(t.lastUsedAt) : 'never'}</Table.Td>
              <Table.Td>{t.expiresAt ? dateTime(t.expiresAt) : 'never'}</Table.Td>
              <Table.Td>
                {user && (
                  <ConfirmButton
                    label="Revoke"
                    ariaLabel={`Revoke token ${t.name}`}
                    title={`Revoke token ${t.name} of ${user.name}?`}
                    confirmLabel="Revoke"
                    onConfirm={() => revoke.mutateAsync({ userId: user.id, tokenId: t.id })}
                  >
                    <Text size="sm">Every script using it gets 401 from now on. This cannot be undone.</Text>
                  </ConfirmButton>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {tokens.isSuccess && tokens.data.items.length === 0 && <Text c="dimmed">No live token.</Text>}
    </AdminModal>
  );
}
