import { Anchor, Button, Card, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { StateBadge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

/** The case's affected SIMs (first 20, each linking to its SIM page) and, for a major case, its children. */
export function AffectedSims({ number, count, base }: { number: string; count: number; base: string }) {
  const sims = useQuery({
    queryKey: [...keys.cases.one(number), 'sims'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/cases/{number}/sims', { params: { path: { number }, query: { limit: 20 } } })),
    enabled: count > 0,
  });
  if (count === 0) return <Text size="sm">None</Text>;
  return (
    <Stack gap={2}>
      <ErrorAlert error={sims.error} />
      {(sims.data?.items ?? []).map((s) => (
        <Text size="sm" key={s.iccid}>
          <Anchor component={Link} to={`${base}/${s.iccid}`} ff="monospace">
            {s.iccid}
          </Anchor>{' '}
          <StateBadge s={s.networkState} />
        </Text>
      ))}
      {count > 20 && <Text size="xs">… and {count - 20} more</Text>}
    </Stack>
  );
}

export function MajorCaseChildren({ number }: { number: string }) {
  const children = useQuery({
    queryKey: [...keys.cases.one(number), 'children'],
    queryFn: () => unwrap(api.GET('/api/v1/cases/{number}/children', { params: { path: { number } } })),
  });
  return (
    <Card withBorder>
      <Title order={2} size="h5" mb="xs">
        Child cases
      </Title>
      <ErrorAlert error={children.error} />
      {(children.data?.items ?? []).map((c) => (
        <Text size="sm" key={c.number}>
          <Anchor component={Link} to={`/cases/${c.number}`}>
            {c.number}
          </Anchor>{' '}
          {c.subject} <StateBadge s={c.state} />
        </Text>
      ))}
    </Card>
  );
}

/**
 * Diagnosis of the affected SIMs, written into the timeline as an internal entry (per SIM, or by root cause
 * above 100 SIMs); the agent re-runs it after a fix to see the SIMs recover.
 */
export function RerunDiagnosis({ number }: { number: string }) {
  const qc = useQueryClient();
  const run = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/cases/{number}/diagnosis', { params: { path: { number } }, body: null })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.events(number) }),
  });
  return (
    <Stack gap={4}>
      <Button size="xs" variant="default" loading={run.isPending} onClick={() => run.mutate()}>
        Diagnose the affected SIMs now
      </Button>
      <ErrorAlert error={run.error} />
      {run.isSuccess && <Text size="xs">Added to the timeline.</Text>}
    </Stack>
  );
}
