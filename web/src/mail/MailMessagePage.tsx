import { Anchor, Button, Code, Collapse, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { READABLE } from '../admin/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { Field, senderOf, useReasonText } from './parts.tsx';
import { type MailDetail, rawMailUrl, useMail } from './queries.ts';

/**
 * One stored mail as the desk read it: who sent it to whom, where threading put it (its case, or why it waits in
 * triage), its text (plain text: React escapes it, nothing of a stranger's mail is rendered as HTML), every header
 * line behind "Show headers", and the original message to download.
 */
export default function MailMessagePage() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const mail = useMail(id);
  return (
    <Stack style={READABLE}>
      <Anchor component={Link} to="/mail" size="sm">
        {t('mail.message.back')}
      </Anchor>
      <ErrorAlert error={mail.error} />
      {mail.isPending && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {mail.data && <Message m={mail.data} />}
    </Stack>
  );
}

function Message({ m }: { m: MailDetail }) {
  const { t, dateTime, bytes, number } = useI18n();
  const reason = useReasonText();
  const [headers, setHeaders] = useState(false);
  return (
    <Stack gap="sm">
      <Title order={1} size="h3" style={{ wordBreak: 'break-word' }}>
        {m.subject || t('mail.noSubject')}
      </Title>
      <Stack component="dl" gap={4} m={0}>
        <Field label={t('mail.col.from')}>{senderOf(m, t('mail.noSender'))}</Field>
        <Field label={t('mail.message.to')}>{m.recipients.join(', ') || '—'}</Field>
        <Field label={t('mail.message.envelope')}>
          {m.envelopeFrom || '<>'} → {m.envelopeTo.join(', ')}
        </Field>
        <Field label={t('mail.col.received')}>
          {dateTime(m.receivedAt)} · {m.transport.toUpperCase()} · {m.queue} · {bytes(m.size)}
        </Field>
        <Field label={t('mail.message.where')}>
          <Where m={m} reason={reason(m.triageReason)} />
        </Field>
        {m.messageId && (
          <Field label={t('mail.message.messageId')}>
            <Code>{m.messageId}</Code>
          </Field>
        )}
        {m.attachmentCount > 0 && <Field label={t('mail.message.attachments')}>{number(m.attachmentCount)}</Field>}
        {m.parseWarning && <Field label={t('mail.message.warning')}>{m.parseWarning}</Field>}
      </Stack>
      <Group>
        <Button component="a" href={rawMailUrl(m.id)} download={`mail-${m.id}.eml`} variant="default" size="sm">
          {t('mail.message.raw')}
        </Button>
      </Group>
      <Title order={2} size="h4">
        {t('mail.message.text')}
      </Title>
      {m.text ? (
        <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} fz="sm">
          {m.text}
        </Code>
      ) : (
        <Text size="sm" c="dimmed">
          {t('mail.message.noText')}
        </Text>
      )}
      <Title order={2} size="h4">
        {t('mail.message.headers')}
      </Title>
      <Group>
        <Button
          variant="default"
          size="sm"
          aria-expanded={headers}
          aria-controls="mail-headers"
          onClick={() => setHeaders((h) => !h)}
        >
          {headers ? t('mail.message.hideHeaders') : t('mail.message.showHeaders')}
        </Button>
      </Group>
      <Collapse in={headers} id="mail-headers">
        <Table striped aria-label={t('mail.message.headers')} fz="xs" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={200}>{t('mail.message.header.name')}</Table.Th>
              <Table.Th>{t('mail.message.header.value')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {m.headers.map((h, i) => (
              // Header lines repeat (Received…): their place in the message is their identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed, in message order
              <Table.Tr key={i}>
                <Table.Td ff="monospace">{h.name}</Table.Td>
                <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
                  {h.value}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Collapse>
    </Stack>
  );
}

/** The case the mail is on, or why it waits in triage, or that it was dismissed. */
function Where({ m, reason }: { m: MailDetail; reason: string }) {
  const { t } = useI18n();
  if (m.caseNumber)
    return (
      <>
        {t('mail.message.onCase')}{' '}
        <Anchor component={Link} to={`/cases/${m.caseNumber}`} size="sm">
          {m.caseNumber}
        </Anchor>
        {m.threadRule && ` (${t('mail.message.rule')} ${m.threadRule.replace(/_/g, ' ')})`}
      </>
    );
  if (m.threadRule === 'dismissed') return <>{t('mail.message.dismissed')}</>;
  if (m.triageReason)
    return (
      <>
        {t('mail.message.triage')}: {reason}
        {m.namedCaseNumber && (
          <>
            {' '}
            · {t('mail.col.named')}{' '}
            <Anchor component={Link} to={`/cases/${m.namedCaseNumber}`} size="sm">
              {m.namedCaseNumber}
            </Anchor>
          </>
        )}
      </>
    );
  return <>{m.threadRule ?? '—'}</>;
}
