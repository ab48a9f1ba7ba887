import { Button, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import { isStaff, useMe } from '../auth/session.ts';
import { useI18n } from '../i18n/index.tsx';
import { Badge, PriorityBadge, StateBadge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { CaseComposer } from './CaseComposer.tsx';
import { CaseDetails } from './CaseDetails.tsx';
import { CaseTimeline } from './CaseTimeline.tsx';
import { useCase, useCaseDeliveries, useCaseEvents, useTransition } from './queries.ts';
import { userTimeZone } from './time.ts';

/**
 * One case: header, the composer and the timeline first; the side column (details, assignment, priority, diagnosis,
 * SLA clocks) right after that first paint. Customers see the public part only.
 */
export default function CasePage() {
  const number = useParams().number ?? '';
  const { t, dateTime } = useI18n();
  const me = useMe();
  const staff = me.data ? isStaff(me.data) : false;
  const c = useCase(number);
  const events = useCaseEvents(number);
  const deliveries = useCaseDeliveries(number, staff);
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
            <Badge color="blue" variant="outline">
              {k.type.replace(/_/g, ' ')}
            </Badge>
            <Badge color="blue" variant="outline">
              {k.severity}
            </Badge>
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
            <CaseComposer number={number} staff={staff} contacts={k.contacts} />
            <Title order={2} size="h4">
              {t('case.timeline')}
            </Title>
            <ErrorAlert error={events.error} />
            <CaseTimeline number={number} items={events.data?.items ?? []} staff={staff} deliveries={deliveries} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <CaseDetails k={k} staff={staff} events={events.data?.items} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
