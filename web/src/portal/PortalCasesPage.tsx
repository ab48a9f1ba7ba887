import {
  Anchor,
  Button,
  Card,
  Checkbox,
  Group,
  NativeSelect,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { useMe } from '../auth/session.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { EnumBadge } from './PortalBadges.tsx';
import { usePortalCases, usePortalCreateCase } from './queries.ts';

const TYPES = ['incident', 'information_request', 'service_request', 'order'] as const;

/** The customer's cases (open and past) and the form to open one, with affected SIMs, in their language. */
export default function PortalCasesPage() {
  const { t, enumText, dateTime } = useI18n();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const cursor = search.get('cursor') ?? undefined;
  const all = search.get('all') === '1';
  const cases = usePortalCases({ cursor, all });
  return (
    <Stack>
      <Title order={1} size="h3">
        {t('portal.cases.title')}
      </Title>
      <NewCase sims={search.get('sims') ?? ''} onCreated={(number) => navigate(`/portal/cases/${number}`)} />
      <Checkbox
        label={t('portal.cases.showAll')}
        checked={all}
        onChange={(e) => setSearch(e.currentTarget.checked ? { all: '1' } : {})}
      />
      <ErrorAlert error={cases.error} />
      <Table striped aria-label={t('portal.cases.title')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('portal.cases.col.number')}</Table.Th>
            <Table.Th>{t('portal.cases.col.subject')}</Table.Th>
            <Table.Th>{t('portal.cases.col.type')}</Table.Th>
            <Table.Th>{t('portal.cases.col.state')}</Table.Th>
            <Table.Th>{t('portal.cases.col.opened')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(cases.data?.items ?? []).map((c) => (
            <Table.Tr key={c.number}>
              <Table.Td>
                <Anchor component={Link} to={`/portal/cases/${c.number}`}>
                  {c.number}
                </Anchor>
              </Table.Td>
              <Table.Td>{c.subject}</Table.Td>
              <Table.Td>{enumText('caseType', c.type)}</Table.Td>
              <Table.Td>
                <EnumBadge family="caseState" value={c.state} />
              </Table.Td>
              <Table.Td>{dateTime(c.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {cases.isSuccess && cases.data.items.length === 0 && <Text c="dimmed">{t('portal.cases.empty')}</Text>}
      <Group>
        {cursor && (
          <Button variant="default" onClick={() => setSearch(all ? { all: '1' } : {})}>
            {t('common.first')}
          </Button>
        )}
        {cases.data?.nextCursor && (
          <Button
            variant="default"
            onClick={() => setSearch({ ...(all ? { all: '1' } : {}), cursor: cases.data.nextCursor ?? '' })}
          >
            {t('common.next')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function NewCase({ sims: initialSims, onCreated }: { sims: string; onCreated: (number: string) => void }) {
  const { t, enumText } = useI18n();
  const me = useMe();
  const create = usePortalCreateCase();
  const [type, setType] = useState<(typeof TYPES)[number]>('incident');
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const [sims, setSims] = useState(initialSims);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const accountId = me.data?.accountId;
    if (!accountId) return;
    const affectedIccids = sims
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    create.mutate({ accountId, type, subject, description, affectedIccids } as Schemas['CreateCaseRequestInput'], {
      onSuccess: (c) => onCreated(c.number),
    });
  };
  return (
    <Card withBorder component="form" onSubmit={submit} noValidate aria-label={t('portal.cases.new')}>
      <Stack gap="xs">
        <Title order={2} size="h5">
          {t('portal.cases.new')}
        </Title>
        <NativeSelect
          label={t('portal.cases.type')}
          data={TYPES.map((v) => ({ value: v, label: enumText('caseType', v) }))}
          value={type}
          onChange={(e) => setType(e.currentTarget.value as (typeof TYPES)[number])}
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
        <Group>
          <Button type="submit" loading={create.isPending}>
            {t('portal.cases.submit')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
