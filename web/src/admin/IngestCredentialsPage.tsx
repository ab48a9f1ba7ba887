import { Badge, Button, Card, Group, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useCreateIngestCredential, useIngestCredentials, useRevokeIngestCredential } from './queries.ts';
import { ConfirmButton, fieldError, SecretOnce } from './ui.tsx';

/**
 * Producers of network events and telemetry (a mediation system, a device platform): one credential is an MQTT
 * username and password and, the same secret, an HTTP Bearer for the ingest endpoints.
 */
export default function IngestCredentialsPage() {
  const { dateTime } = useI18n();
  const list = useIngestCredentials();
  const create = useCreateIngestCredential();
  const revoke = useRevokeIngestCredential();
  const [name, setName] = useState('');
  const err = create.error;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name, { onSuccess: () => setName('') });
  };
  const made = create.data;

  return (
    <Stack>
      <Title order={2} size="h4">
        Ingest credentials
      </Title>
      <Card withBorder component="form" onSubmit={submit} noValidate aria-label="New ingest credential">
        <Stack gap="sm">
          <TextInput
            label="Producer name (the MQTT username)"
            description="Letters, digits, dot, dash and underscore, e.g. mediation-1"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(err, 'name')}
            w={360}
          />
          <ErrorAlert error={err} />
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create credential
            </Button>
          </Group>
        </Stack>
      </Card>
      {made && (
        <SecretOnce
          title={`Credential ${made.credential.name} created`}
          rows={[
            { label: 'MQTT username', value: made.credential.name },
            { label: 'MQTT password', value: made.secret },
            { label: 'HTTP header', value: `Authorization: Bearer ${made.secret}` },
          ]}
          onDismiss={() => create.reset()}
        />
      )}
      <ErrorAlert error={list.error} />
      <Table striped aria-label="Ingest credentials">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>MQTT username</Table.Th>
            <Table.Th>Created by</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(list.data ?? []).map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td ff="monospace">{c.name}</Table.Td>
              <Table.Td>{c.createdBy}</Table.Td>
              <Table.Td>{dateTime(c.createdAt)}</Table.Td>
              <Table.Td>{c.lastUsedAt ? dateTime(c.lastUsedAt) : 'never'}</Table.Td>
              <Table.Td>
                {c.revokedAt ? (
                  <Badge variant="light" c="dark.9" color="gray" title={c.revokedAt}>
                    revoked {dateTime(c.revokedAt)}
                  </Badge>
                ) : (
                  <Badge variant="light" c="dark.9" color="teal">
                    active
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                {!c.revokedAt && (
                  <ConfirmButton
                    label="Revoke"
                    ariaLabel={`Revoke credential ${c.name}`}
                    title={`Revoke ${c.name}?`}
                    confirmLabel="Revoke"
                    onConfirm={() => revoke.mutateAsync(c.id)}
                  >
                    <Text size="sm">
                      The producer's new MQTT connections and HTTP calls are refused from now on (CONNACK "not
                      authorized", 401). This cannot be undone.
                    </Text>
                  </ConfirmButton>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {list.isSuccess && list.data.length === 0 && <Text c="dimmed">No producer yet.</Text>}
    </Stack>
  );
}
