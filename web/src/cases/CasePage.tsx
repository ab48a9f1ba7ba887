import { Badge, Button, Card, Grid, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { isStaff, useMe } from '../auth/session.ts';
import { useI18n } from '../i18n/index.tsx';
import { PriorityBadge, StateBadge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { AttachmentList } from './CaseAttachments.tsx';
import { CaseComposer } from './CaseComposer.tsx';
import { CasePriority } from './CasePriority.tsx';
import { AffectedSims, MajorCaseChildren } from './CaseSide.tsx';
import { DiagnosisPanel } from './DiagnosisPanel.tsx';
import { useAgents, useCase, useCaseEvents, useCaseSla, useTransition, useUpdateCase } from './queries.ts';
import { SlaClocks } from './SlaClocks.tsx';
import { userTimeZone } from './time.ts';

/** One case: header, SLA clocks (staff), the timeline and the composer. Customers see the public part only. */
export default function CasePage() {
  const number = useParams().number ?? '';
  const { t, dateTime } = useI18n();
  const me = useMe();
  const staff = me.data ? isStaff(me.data) : false;
  const c = useCase(number);
  const events = useCaseEvents(number);
  const sla = useCaseSla(number, staff);
  const transition = useTransition(number);

  if (c.error) return <ErrorAlert error={c.error} />;
  if (!c.data) return <Text>{t('common.loading')}</Text>;
  const k = c.data;
  return (
    <Stack>
      <Group justify="space-between" align="start">
        <div>
          <Title order={1} size="h3">
            {k.number} — {k.subject}
          </Title>
          <Group gap="xs" mt={4}>
            <PriorityBadge p={k.priority} />
            <StateBadge s={k.state} />
            <Badge variant="outline">{k.type.replace(/_/g, ' ')}</Badge>
            <Badge variant="outline">{k.severity}</Badge>
            <Text size="sm" c="dimmed">
              {k.accountName} ({k.accountNumber}) · {k.channel} · {dateTime(k.createdAt)}
            </Text>
            <Text size="xs" c="dimmed">
              {t('case.timesIn')} {userTimeZone()}
            </Text>
          </Group>
        </div>
        {/* Staff get every move of the state machine; a customer what the API lets them do (withdraw, reopen). */}
        {k.allowedTransitions.length > 0 && (
          <Group gap="xs" role="group" aria-label={t('case.moveTo')}>
            {k.allowedTransitions.map((s) => (
              <Button
                key={s}
                size="xs"
                variant="default"
                loading={transition.isPending && transition.variables?.to === s}
                onClick={() => transition.mutate({ to: s })}
              >
                {staff ? s.replace(/_/g, ' ') : s === 'cancelled' ? t('case.withdraw') : t('case.reopen')}
              </Button>
            ))}
          </Group>
        )}
      </Group>
      <ErrorAlert error={transition.error} />
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <CaseComposer number={number} staff={staff} />
            <Title order={2} size="h4">
              {t('case.timeline')}
            </Title>
            <ErrorAlert error={events.error} />
            {[...(events.data?.items ?? [])].reverse().map((e) => (
              <Card key={e.id} withBorder padding="sm" bg={e.visibility === 'internal' ? 'yellow.0' : undefined}>
                <Group justify="space-between">
                  <Text size="sm" fw={600}>
                    {e.kind.replace(/_/g, ' ')} · {e.authorLabel}
                    {e.visibility === 'internal' && (
                      <Badge ml="xs" size="xs" color="yellow">
                        {t('common.internal')}
                      </Badge>
                    )}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {dateTime(e.at)}
                  </Text>
                </Group>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {e.body}
                </Text>
                <AttachmentList number={number} items={e.attachments} />
              </Card>
            ))}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <Card withBorder>
              <Title order={2} size="h5" mb="xs">
                {t('case.details')}
              </Title>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {k.description || '—'}
              </Text>
              <Text size="sm" mt="xs" fw={600}>
                {t('case.sims')}: {k.affectedSimCount}
              </Text>
              <AffectedSims number={number} count={k.affectedSimCount} base={staff ? '/sims' : '/portal/sims'} />
              {k.parentCaseId !== null && <Text size="sm">Part of major case #{k.parentCaseId}</Text>}
              {staff && (
                <Link to={`/accounts/${k.accountId}`}>
                  <Text size="sm">
                    {t('case.account')}: {k.accountName}
                  </Text>
                </Link>
              )}
              {staff && <Assignment number={number} assignee={k.assigneeUserId} queue={k.queue} />}
              {staff && <CasePriority c={k} />}
            </Card>
            {staff && k.affectedSimCount > 0 && <DiagnosisPanel number={number} events={events.data?.items ?? []} />}
            {staff && k.isMajor && <MajorCaseChildren number={number} />}
            {staff && (
              <Card withBorder>
                <Title order={2} size="h5" mb="xs">
                  {t('case.sla')}
                </Title>
                <ErrorAlert error={sla.error} />
                {sla.data && <SlaClocks sla={sla.data} />}
              </Card>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** Who works the case and in which queue (each change lands in the timeline, from → to). */
function Assignment({ number, assignee, queue }: { number: string; assignee: number | null; queue: string | null }) {
  const { t } = useI18n();
  const agents = useAgents(true);
  const update = useUpdateCase(number);
  return (
    <Stack gap={4} mt="xs">
      <Select
        label={t('case.assignee')}
        size="xs"
        placeholder={t('case.unassigned')}
        data={(agents.data?.items ?? []).map((a) => ({ value: String(a.id), label: `${a.name} (${a.role})` }))}
        value={assignee === null ? null : String(assignee)}
        onChange={(v) => update.mutate({ assigneeUserId: v === null ? null : Number(v) })}
        clearable
        searchable
      />
      <TextInput
        label={t('case.queue')}
        size="xs"
        defaultValue={queue ?? ''}
        key={queue ?? ''}
        onKeyDown={(e) => e.key === 'Enter' && update.mutate({ queue: e.currentTarget.value.trim() || null })}
        onBlur={(e) => {
          const v = e.currentTarget.value.trim() || null;
          if (v !== queue) update.mutate({ queue: v });
        }}
      />
      <ErrorAlert error={update.error} />
    </Stack>
  );
}
