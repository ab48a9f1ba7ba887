import { Alert, Anchor, Button, Card, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { AttachmentList } from '../cases/CaseAttachments.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { EnumBadge } from './PortalBadges.tsx';
import {
  usePortalCase,
  usePortalCaseEvents,
  usePortalCaseSims,
  usePortalKeepOpen,
  usePortalReply,
  usePortalTransition,
} from './queries.ts';

/**
 * One own case as the customer follows it: state and type in their words, what they wrote, the affected SIMs, the
 * public history (the API never sends a customer an internal entry) and a reply. No queue, assignee, priority or
 * SLA figure is shown: those are the desk's.
 */
export default function PortalCasePage() {
  const number = useParams().number ?? '';
  const { t, enumText, dateTime } = useI18n();
  const kase = usePortalCase(number);
  const events = usePortalCaseEvents(number);
  const transition = usePortalTransition(number);
  const keepOpen = usePortalKeepOpen(number);
  if (kase.error) return <ErrorAlert error={kase.error} />;
  if (!kase.data) return <Text>{t('common.loading')}</Text>;
  const c = kase.data;
  const can = (to: 'cancelled' | 'open') => c.allowedTransitions.includes(to);
  return (
    <Stack>
      <Anchor component={Link} to="/portal/cases" size="sm">
        {t('portal.case.back')}
      </Anchor>
      <Title order={1} size="h3">
        {c.number}: {c.subject}
      </Title>
      <Group gap="xs">
        <EnumBadge family="caseState" value={c.state} />
        <Text size="sm">{enumText('caseType', c.type)}</Text>
        <Text size="sm">· {dateTime(c.createdAt)}</Text>
        {(can('cancelled') || can('open')) && (
          <Group gap="xs" role="group" aria-label={t('portal.case.stateGroup')}>
            {can('cancelled') && (
              <Button
                size="xs"
                variant="default"
                loading={transition.isPending}
                onClick={() => transition.mutate('cancelled')}
              >
                {t('portal.case.withdraw')}
              </Button>
            )}
            {can('open') && (
              <Button
                size="xs"
                variant="default"
                loading={transition.isPending}
                onClick={() => transition.mutate('open')}
              >
                {t('portal.case.reopen')}
              </Button>
            )}
          </Group>
        )}
      </Group>
      <ErrorAlert error={transition.error} />
      {c.state === 'resolved' && (
        <Group gap="xs">
          <Text size="sm">{t('portal.case.resolvedHint')}</Text>
          <Button size="xs" variant="default" loading={keepOpen.isPending} onClick={() => keepOpen.mutate(3)}>
            {t('portal.case.keepOpen')}
          </Button>
        </Group>
      )}
      <ErrorAlert error={keepOpen.error} />
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">
          {t('portal.case.description')}
        </Title>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {c.description || '—'}
        </Text>
        {c.affectedSimCount > 0 && <CaseSims number={number} count={c.affectedSimCount} />}
      </Card>
      <Title order={2} size="h5">
        {t('portal.case.history')}
      </Title>
      <ErrorAlert error={events.error} />
      <Stack gap="xs" role="list" aria-label={t('portal.case.history')}>
        {(events.data?.items ?? []).map((e) => (
          <Card withBorder key={e.id} role="listitem" padding="sm">
            <Text size="xs" c="dimmed">
              {/* The API names staff 'Service desk' (in English) with no user id: said in the customer's language. */}
              {e.authorUserId === null && e.authorLabel === 'Service desk'
                ? t('portal.case.serviceDesk')
                : e.authorLabel}{' '}
              · {dateTime(e.at)}
            </Text>
            <EventBody number={number} e={e} />
          </Card>
        ))}
      </Stack>
      <Reply number={number} />
    </Stack>
  );
}

/**
 * A system entry in the customer's words when it is a known one (opened, state change); a mail as a mail (which way
 * it went, its subject, its files); else its text.
 */
function EventBody({ number, e }: { number: string; e: Schemas['CaseTimelineEntry'] }) {
  const { t, enumText } = useI18n();
  if (e.kind === 'email_in' || e.kind === 'email_out') {
    const subject = typeof e.data?.subject === 'string' && e.data.subject.trim() ? e.data.subject : null;
    return (
      <div data-mail="">
        <Text size="sm" fw={600}>
          <span aria-hidden="true">✉ </span>
          {t(e.kind === 'email_in' ? 'portal.case.mailIn' : 'portal.case.mailOut')}
          {subject && `: ${subject}`}
        </Text>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {e.body}
        </Text>
        <AttachmentList number={number} items={e.attachments} />
      </div>
    );
  }
  const data = (e.data ?? {}) as {
    action?: string;
    before?: { state?: string };
    after?: { state?: string };
    workingDays?: number;
  };
  if (e.kind === 'system' && data.action === 'verification_extended')
    return (
      <Text size="sm">
        {t('portal.case.keptOpen')} +{data.workingDays}
      </Text>
    );
  if (e.kind === 'system' && data.action === 'state_changed') {
    return (
      <Text size="sm">
        {t('portal.case.stateChange')} {enumText('caseState', data.before?.state)} →{' '}
        {enumText('caseState', data.after?.state)}
      </Text>
    );
  }
  if (e.kind === 'system' && data.action === 'created') return <Text size="sm">{t('portal.case.opened')}</Text>;
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
      {e.body}
    </Text>
  );
}

function CaseSims({ number, count }: { number: string; count: number }) {
  const { t } = useI18n();
  const sims = usePortalCaseSims(number);
  return (
    <Stack gap={2} mt="sm">
      <Text size="sm" fw={600}>
        {t('portal.case.sims')} ({count})
      </Text>
      <ErrorAlert error={sims.error} />
      {(sims.data?.items ?? []).map((s) => (
        <Group gap="xs" key={s.iccid}>
          <Anchor component={Link} to={`/portal/sims/${s.iccid}`} ff="monospace" size="sm">
            {s.iccid}
          </Anchor>
          <EnumBadge family="network" value={s.networkState} />
        </Group>
      ))}
    </Stack>
  );
}

function Reply({ number }: { number: string }) {
  const { t } = useI18n();
  const reply = usePortalReply(number);
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    reply.mutate(text, { onSuccess: () => setText('') });
  };
  const outcome = reply.data;
  return (
    <Card withBorder component="form" onSubmit={submit} noValidate aria-label={t('portal.cases.reply')}>
      <Stack gap="xs">
        <Textarea
          label={t('portal.case.replyLabel')}
          autosize
          minRows={3}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <ErrorAlert error={reply.error} />
        {outcome && (
          <Alert color="teal" role="status" c="dark.9">
            {outcome.outcome === 'reopened' && t('portal.case.reopened')}
            {outcome.outcome === 'added' && t('portal.case.sent')}
            {outcome.outcome === 'follow_up' && (
              <>
                {t('portal.case.followUp')}{' '}
                <Anchor component={Link} to={`/portal/cases/${outcome.caseNumber}`}>
                  {outcome.caseNumber}
                </Anchor>
              </>
            )}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={reply.isPending} disabled={text.trim() === ''}>
            {t('portal.case.send')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
