import {
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useCreateToken, useRevokeToken, useTokens } from './queries.ts';
import { ConfirmButton, fieldError, SecretOnce } from './ui.tsx';

type Scope = Schemas['CreateTokenRequestInput']['scopes'][number];
const SCOPES: { value: Scope; label: string }[] = [
  { value: 'read', label: 'read' },
  { value: 'write', label: 'write' },
  { value: 'ingest', label: 'ingest (network events)' },
  { value: 'admin', label: 'admin' },
];
type Form = { name: string; scopes: Scope[]; expiresInDays: string | number };
const EMPTY: Form = { name: '', scopes: ['read'], expiresInDays: 90 };

/** The admin's own Bearer tokens for scripts and integrations; a new token's secret is shown once. */
export default function TokensPage() {
  const { dateTime } = useI18n();
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [form, setForm] = useState<Form>(EMPTY);
  const err = create.error;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const days = form.expiresInDays;
    create.mutate(
      { name: form.name, scopes: form.scopes, ...(days === '' ? {} : { expiresInDays: Number(days) }) },
      { onSuccess: () => setForm(EMPTY) },
    );
  };

  return (
    <Stack>
      <Title order={2} size="h4">
        My API tokens
      </Title>
      <Card withBorder component="form" onSubmit={submit} noValidate aria-label="New API token">
        <Stack gap="sm">
          <Group align="flex-start">
            <TextInput
              label="Token name"
              description="What uses it, e.g. billing-export"
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
              error={fieldError(err, 'name')}
              w={280}
            />
            <NumberInput
              label="Expires in days"
              description="Empty: never expires"
              value={form.expiresInDays}
              onChange={(v) => setForm({ ...form, expiresInDays: v })}
              error={fieldError(err, 'expiresInDays')}
              w={180}
            />
          </Group>
          <Checkbox.Group
            label="Scopes"
            value={form.scopes}
            onChange={(v) => setForm({ ...form, scopes: v as Scope[] })}
            error={fieldError(err, 'scopes')}
          >
            <Group mt={4}>
              {SCOPES.map((s) => (
                <Checkbox key={s.value} value={s.value} label={s.label} />
              ))}
            </Group>
          </Checkbox.Group>
          <ErrorAlert error={err} />
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create token
            </Button>
          </Group>
        </Stack>
      </Card>
      {create.data && (
        <SecretOnce
          title={`Token ${create.data.name} created`}
          rows={[
            { label: 'Token', value: create.data.token },
            { label: 'HTTP header', value: `Authorization: Bearer ${create.data.token}` },
          ]}
          onDismiss={() => create.reset()}
        />
      )}
      <ErrorAlert error={tokens.error} />
      <Table striped aria-label="API tokens">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Scopes</Table.Th>
            <Table.Th>Created</Table.Th>
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
              <Table.Td>{dateTime(t.createdAt)}</Table.Td>
              <Table.Td>{t.lastUsedAt ? dateTime(t.lastUsedAt) : 'never'}</Table.Td>
              <Table.Td>{t.expiresAt ? dateTime(t.expiresAt) : 'never'}</Table.Td>
              <Table.Td>
                <ConfirmButton
                  label="Revoke"
                  ariaLabel={`Revoke token ${t.name}`}
                  title={`Revoke token ${t.name}?`}
                  confirmLabel="Revoke"
                  onConfirm={() => revoke.mutateAsync(t.id)}
                >
                  <Text size="sm">Every script using it gets 401 from now on. This cannot be undone.</Text>
                </ConfirmButton>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {tokens.isSuccess && tokens.data.items.length === 0 && <Text c="dimmed">No token yet.</Text>}
    </Stack>
  );
}
