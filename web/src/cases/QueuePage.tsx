import { Alert, Button, Group, Kbd, MultiSelect, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useMe } from '../auth/session.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useListKeys } from '../ui/useListKeys.ts';
import { useUrlFilters } from '../ui/useUrlFilters.ts';
import { QueueTable } from './QueueTable.tsx';
import { type QueueParams, queueParamsFrom, useQueue } from './queries.ts';
import { useQueueViews, useStableRows, viewSearch } from './queueViews.ts';

const STATES = ['new', 'open', 'pending_customer', 'pending_provider', 'resolved', 'closed', 'cancelled', 'all'];
const TYPES = ['incident', 'information_request', 'service_request', 'order'];

/**
 * The agent queue: priority, then SLA due time. Filters and the page live in the URL (deep links, reload); saved
 * views name a set of filters; every 15 s a poll refreshes the rows in place and announces new cases.
 */
export default function QueuePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { search, set } = useUrlFilters();
  const params: QueueParams = queueParamsFrom(search);
  const queue = useQueue(params);
  // Rows keep their order between polls (the selection stays on its case); arrivals are announced, not inserted.
  const rows = useStableRows(JSON.stringify(params), queue.data?.items, queue.isPlaceholderData);
  const items = rows.items;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(id);
  }, []);
  const selected = useListKeys(items.length, (i) => navigate(`/cases/${items[i]!.number}`));
  const open = useCallback((number: string) => void navigate(`/cases/${number}`), [navigate]);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h3">
          {t('queue.title')}
        </Title>
        <Text size="xs" c="dimmed">
          <Kbd>j</Kbd>/<Kbd>k</Kbd> <Kbd>Enter</Kbd> — {t('nav.shortcuts')}
        </Text>
      </Group>
      <Group align="end">
        <TextInput
          label={t('queue.search')}
          w={260}
          defaultValue={params.q ?? ''}
          onKeyDown={(e) => e.key === 'Enter' && set('q', e.currentTarget.value.trim() || null)}
          onBlur={(e) => set('q', e.currentTarget.value.trim() || null)}
        />
        <MultiSelect
          label={t('queue.filter.state')}
          placeholder={t('queue.filter.active')}
          data={STATES}
          value={params.state ?? []}
          onChange={(v) => set('state', v)}
          clearable
          w={260}
        />
        <Select
          label={t('queue.filter.type')}
          placeholder={t('common.any')}
          data={TYPES}
          value={params.type ?? null}
          onChange={(v) => set('type', v)}
          clearable
        />
        <TextInput
          label={t('queue.filter.queue')}
          defaultValue={params.queue ?? ''}
          onKeyDown={(e) => e.key === 'Enter' && set('queue', e.currentTarget.value.trim() || null)}
          onBlur={(e) => set('queue', e.currentTarget.value.trim() || null)}
        />
        <Switch
          label={t('queue.filter.mine')}
          checked={params.assignee === 'me'}
          onChange={(e) => set('assignee', e.currentTarget.checked ? 'me' : null)}
        />
      </Group>
      <SavedViews search={search} />
      <ErrorAlert error={queue.error} />
      <div role="status" aria-live="polite">
        {(rows.arrived > 0 || rows.gone > 0) && (
          <Alert color="blue" variant="light" p="xs">
            <Group gap="sm">
              <Text size="sm">
                {rows.arrived === 1
                  ? t('queue.newOne')
                  : rows.arrived > 1
                    ? `${rows.arrived} ${t('queue.new')}`
                    : t('queue.changed')}
              </Text>
              <Button size="compact-sm" onClick={rows.show}>
                {t('queue.show')}
              </Button>
            </Group>
          </Alert>
        )}
      </div>
      <QueueTable items={items} selected={selected} now={now} onOpen={open} />
      {queue.isSuccess && items.length === 0 && <Text c="dimmed">{t('queue.empty')}</Text>}
      <Group>
        <Button variant="default" disabled={!params.cursor} onClick={() => set('cursor', null)}>
          {t('common.first')}
        </Button>
        <Button
          variant="default"
          disabled={!queue.data?.nextCursor}
          onClick={() => set('cursor', queue.data?.nextCursor ?? null)}
        >
          {t('common.next')}
        </Button>
      </Group>
    </Stack>
  );
}

/** Pick, save (by name) and delete the agent's saved views; picking one puts its filters in the URL. */
function SavedViews({ search }: { search: URLSearchParams }) {
  const { t } = useI18n();
  const me = useMe();
  const navigate = useNavigate();
  const { views, save, remove } = useQueueViews(me.data?.id);
  const [name, setName] = useState('');
  const current = viewSearch(search);
  const active = views.find((v) => v.search === current)?.name ?? null;
  return (
    <Group align="end">
      <Select
        label={t('queue.views')}
        placeholder={t('queue.views.none')}
        data={views.map((v) => v.name)}
        value={active}
        onChange={(v) => {
          const view = views.find((x) => x.name === v);
          if (view) void navigate(`?${view.search}`);
        }}
        w={220}
      />
      {active && (
        <Button variant="subtle" onClick={() => remove(active)}>
          {t('queue.views.delete')}
        </Button>
      )}
      <TextInput label={t('queue.views.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} w={200} />
      <Button
        variant="default"
        disabled={!name.trim()}
        onClick={() => {
          save(name.trim(), current);
          setName('');
        }}
      >
        {t('queue.views.save')}
      </Button>
    </Group>
  );
}
