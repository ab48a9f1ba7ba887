import { Button, Card, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { useMe } from '../auth/session.ts';
import { useCreateCase, useQueue } from '../cases/queries.ts';
import { useI18n } from '../i18n/index.tsx';
import { StateBadge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

const TYPES = ['incident', 'information_request', 'service_request', 'order'] as const;

/** The customer's cases and the form to open one (with affected SIMs). */
export default function PortalCasesPage() {
  const { t, dateTime } = useI18n();
  const navigate = useNavigate();
  const cases = useQueue({});
  return (
    <Stack>
      <Title order={1} size="h3">
        {t('portal.cases.title')}
      </Title>
      <NewCase onCreated={(number) => navigate(`/portal/cases/${number}`)} />
      <ErrorAlert error={cases.error} />
      <Table striped highlightOnHover aria-label={t('portal.cases.title')}>
        <Table.Tbody>
          {(cases.data?.items ?? []).map((c) => (
            <Table.Tr
              key={c.number}
              onClick={() => navigate(`/portal/cases/${c.number}`)}
              style={{ cursor: 'pointer' }}
            >
              <Table.Td>
                <a href={`/portal/cases/${c.number}`} onClick={(e) => e.preventDefault()}>
                  {c.number}
                </a>
              </Table.Td>
              <Table.Td>{c.subject}</Table.Td>
              <Table.Td>
                <StateBadge s={c.state} />
              </Table.Td>
              <Table.Td>{dateTime(c.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function NewCase({ onCreated }: { onCreated: (number: string) => void }) {
  const { t } = useI18n();
  const me = useMe();
  const create = useCreateCase();
  const [type, setType] = useState<(typeof TYPES)[number]>('incident');
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const [sims, setSims] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const accountId = me.data?.accountId;
    if (!accountId) return;
    create.mutate(
      {
        accountId,
        type,
        subject,
        description,
        affectedIccids: sims
          .split(/[\s,;]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      } as Parameters<typeof create.mutate>[0],
      { onSuccess: (c) => onCreated(c.number) },
    );
  };
  return (
    <Card withBorder component="form" onSubmit={submit} aria-label={t('portal.cases.new')}>
      <Stack gap="xs">
        <Title order={2} size="h5">
          {t('portal.cases.new')}
        </Title>
        <Select
          label={t('portal.cases.type')}
          data={[...TYPES]}
          value={type}
          onChange={(v) => v && setType(v as (typeof TYPES)[number])}
          allowDeselect={false}
        />
        <TextInput
          label={t('portal.cases.subject')}
          required
          value={subject}
          onChange={(e) => setSubject(e.currentTarget.value)}
        />
        <Textarea
          label={t('portal.cases.description')}
          autosize
          minRows={2}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
        <TextInput label={t('portal.cases.sims')} value={sims} onChange={(e) => setSims(e.currentTarget.value)} />
        <ErrorAlert error={create.error} />
        <Button type="submit" loading={create.isPending}>
          {t('portal.cases.submit')}
        </Button>
        {create.isSuccess && <Text size="sm">{create.data.number}</Text>}
      </Stack>
    </Card>
  );
}
