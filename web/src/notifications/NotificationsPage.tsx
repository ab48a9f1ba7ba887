import { Button, Card, Group, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

/** SLA warnings and breaches as they fall due (to me, my queue or the desk), newest first. */
export default function NotificationsPage() {
  const { dateTime } = useI18n();
  const qc = useQueryClient();
  const [unread, setUnread] = useState(true);
  const list = useQuery({
    queryKey: ['notifications', unread],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/notifications', { params: { query: { limit: 100, ...(unread ? { unread: 'true' } : {}) } } }),
      ),
    refetchInterval: 15_000,
  });
  const mark = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.PATCH('/api/v1/notifications/{id}', { params: { path: { id } }, body: { read: true } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h3">
          Notifications
        </Title>
        <Switch label="Unread only" checked={unread} onChange={(e) => setUnread(e.currentTarget.checked)} />
      </Group>
      <ErrorAlert error={list.error ?? mark.error} />
      {list.isSuccess && list.data.items.length === 0 && <Text c="dimmed">Nothing to see.</Text>}
      {(list.data?.items ?? []).map((n) => (
        <Card key={n.id} withBorder padding="sm">
          <Group justify="space-between">
            <Text fw={600} c={n.kind === 'sla_breach' ? 'red.9' : undefined}>
              {n.title}
            </Text>
            <Text size="xs" c="dimmed">
              {dateTime(n.createdAt)}
            </Text>
          </Group>
          <Text size="sm">{n.body}</Text>
          <Group gap="xs" mt={4}>
            {n.caseNumber && <Link to={`/cases/${n.caseNumber}`}>{n.caseNumber}</Link>}
            {!n.readAt && (
              <Button size="compact-xs" variant="default" onClick={() => mark.mutate(n.id)}>
                Mark read
              </Button>
            )}
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
