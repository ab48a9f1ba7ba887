import { Button, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { fieldError } from '../admin/ui.tsx';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { PriorityBadge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
type Priority = (typeof PRIORITIES)[number];

/**
 * The computed priority (severity × SIMs × VIP tier × type) beside the effective one; staff override it with a
 * reason (kept in the timeline) and clear the override to go back to the matrix. Invalidates every case query: the
 * queue sorts by priority.
 */
export function CasePriority({ c }: { c: Schemas['Case'] }) {
  const { t, dateTime } = useI18n();
  const qc = useQueryClient();
  const [priority, setPriority] = useState<Priority | null>(null);
  const [reason, setReason] = useState('');
  const done = () => qc.invalidateQueries({ queryKey: keys.cases.all });
  const override = useMutation({
    mutationFn: (body: Schemas['CasePriorityOverrideRequestInput']) =>
      unwrap(api.POST('/api/v1/cases/{number}/priority', { params: { path: { number: c.number } }, body })),
    onSuccess: () => {
      setReason('');
      setPriority(null);
      return done();
    },
  });
  const clear = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/cases/{number}/priority', { params: { path: { number: c.number } } })),
    onSuccess: done,
  });
  const o = c.override;
  return (
    <Stack gap={6} mt="xs" aria-labelledby="case-priority-title">
      <Title order={3} size="h6" id="case-priority-title">
        {t('case.priority')}
      </Title>
      <Group gap="xs">
        <PriorityBadge p={c.priority} />
        <Text size="sm" data-testid="computed-priority">
          {t('case.priority.computed')}: {c.computedPriority}
        </Text>
      </Group>
      {o && (
        <Stack gap={2} data-testid="priority-override">
          <Text size="sm">
            {t('case.priority.overridden')} {o.priority} · {o.by.label} · {dateTime(o.at)}
          </Text>
          <Text size="sm" fs="italic">
            “{o.reason}”
          </Text>
          <Group>
            <Button size="xs" variant="default" loading={clear.isPending} onClick={() => clear.mutate()}>
              {t('case.priority.clear')}
            </Button>
          </Group>
        </Stack>
      )}
      <Group align="end" gap="xs">
        <Select
          label={t('case.priority.override')}
          size="xs"
          w={90}
          data={[...PRIORITIES]}
          value={priority}
          onChange={(v) => setPriority(v as Priority | null)}
          error={fieldError(override.error, 'priority')}
        />
        <TextInput
          label={t('case.priority.reason')}
          size="xs"
          style={{ flex: 1 }}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={fieldError(override.error, 'reason')}
        />
        <Button
          size="xs"
          disabled={priority === null || !reason.trim()}
          loading={override.isPending}
          onClick={() => priority && override.mutate({ priority, reason })}
        >
          {t('case.priority.apply')}
        </Button>
      </Group>
      <ErrorAlert error={override.error ?? clear.error} />
    </Stack>
  );
}
