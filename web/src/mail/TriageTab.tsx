import { Alert, Anchor, Button, Group, List, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { senderOf, useReasonText } from './parts.tsx';
import { type MailSummary, useTriage } from './queries.ts';
import { type Done, type TriageAction, TriageDialog } from './TriageActions.tsx';

/**
 * The mail threading left waiting, oldest first: who sent it, what it says, why it waits and the case it named.
 * Each row opens a case for its mail, adds it to a case, or dismisses it; the row then leaves the list, and what
 * became of the mail (with a link to its case) is listed above the table until the screen is left.
 */
export default function TriageTab() {
  const { t, dateTime } = useI18n();
  const reason = useReasonText();
  const [search, setSearch] = useSearchParams();
  const cursor = search.get('cursor');
  const triage = useTriage(cursor);
  // The last action stays set while its dialog fades out, so the dialog does not empty as it closes.
  const [action, setAction] = useState<TriageAction | null>(null);
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<Done[]>([]);
  const items = triage.data?.items ?? [];
  const act = (kind: TriageAction['kind'], mail: MailSummary) => {
    setAction({ kind, mail });
    setOpen(true);
  };
  return (
    <Stack gap="sm">
      <Text size="sm" maw={900}>
        {t('mail.triage.intro')}
      </Text>
      {done.length > 0 && (
        <Alert color="teal" role="status" c="dark.9">
          <List size="sm">
            {done.map((d) => (
              <List.Item key={d.mailId}>
                {d.subject} — {d.from}:{' '}
                {d.caseNumber ? (
                  <>
                    {t('mail.done.case')}{' '}
                    <Anchor component={Link} to={`/cases/${d.caseNumber}`} size="sm">
                      {d.caseNumber}
                    </Anchor>
                  </>
                ) : (
                  t('mail.done.dismissed')
                )}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <ErrorAlert error={triage.error} />
      <Table striped aria-label={t('mail.triage.table')} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('mail.col.received')}</Table.Th>
            <Table.Th>{t('mail.col.from')}</Table.Th>
            <Table.Th>{t('mail.col.subject')}</Table.Th>
            <Table.Th>{t('mail.col.reason')}</Table.Th>
            <Table.Th>{t('mail.col.named')}</Table.Th>
            <Table.Th>{t('mail.col.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{dateTime(m.receivedAt)}</Table.Td>
              <Table.Td style={{ wordBreak: 'break-word' }}>{senderOf(m, t('mail.noSender'))}</Table.Td>
              <Table.Td maw={420} style={{ wordBreak: 'break-word' }}>
                <Anchor component={Link} to={`/mail/messages/${m.id}`} size="sm" fw={600}>
                  {m.subject || t('mail.noSubject')}
                </Anchor>
                <Text size="xs" c="dimmed" lineClamp={2}>
                  {m.snippet}
                </Text>
              </Table.Td>
              <Table.Td>{reason(m.triageReason)}</Table.Td>
              <Table.Td>
                {m.namedCaseNumber ? (
                  <Anchor component={Link} to={`/cases/${m.namedCaseNumber}`} size="sm">
                    {m.namedCaseNumber}
                  </Anchor>
                ) : (
                  '—'
                )}
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button size="compact-sm" onClick={() => act('open', m)} disabled={!m.from}>
                    {t('mail.action.open')}
                  </Button>
                  <Button size="compact-sm" variant="default" onClick={() => act('add', m)}>
                    {t('mail.action.add')}
                  </Button>
                  <Button size="compact-sm" variant="default" onClick={() => act('dismiss', m)}>
                    {t('mail.action.dismiss')}
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {triage.isSuccess && items.length === 0 && <Text c="dimmed">{t('mail.triage.empty')}</Text>}
      <Group>
        {cursor && (
          <Button variant="default" onClick={() => setSearch({})}>
            {t('mail.first')}
          </Button>
        )}
        {triage.data?.nextCursor && (
          <Button variant="default" onClick={() => setSearch({ cursor: triage.data.nextCursor ?? '' })}>
            {t('mail.more')}
          </Button>
        )}
      </Group>
      <TriageDialog
        action={action}
        opened={open}
        onClose={() => setOpen(false)}
        onDone={(d) => {
          setOpen(false);
          setDone((list) => [d, ...list.filter((x) => x.mailId !== d.mailId)]);
        }}
      />
    </Stack>
  );
}
