import { Anchor, Button, Code, Drawer, Group, Loader, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useAccountOptions } from '../admin/queries.ts';
import { READABLE } from '../admin/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import {
  ConfirmAction,
  DeliveryStatusBadge,
  draftBody,
  EnabledBadge,
  EventTypeList,
  Field,
  SecretOnce,
  SubscriptionForm,
  useEventTypeText,
  useWebhooksBase,
  WebhookModal,
} from './parts.tsx';
import {
  type Subscription,
  useDeleteSubscription,
  useDeliveries,
  useDelivery,
  useRedeliver,
  useRotateSecret,
  useSendTest,
  useSubscription,
  useUpdateSubscription,
} from './queries.ts';

/**
 * One webhook endpoint: what it receives, its actions (test message, disable or enable, edit, rotate the secret,
 * delete) and its delivery log, newest first; a message opens in a drawer (`?delivery=`, so it can be linked) with
 * its body and every attempt, and can be sent again.
 */
export default function WebhookPage() {
  const { t } = useI18n();
  const { base } = useWebhooksBase();
  const id = Number(useParams().id);
  const sub = useSubscription(id);
  return (
    <Stack style={READABLE}>
      <Anchor component={Link} to={base} size="sm">
        {t('webhooks.back')}
      </Anchor>
      <ErrorAlert error={sub.error} />
      {sub.isPending && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {sub.data && <Endpoint s={sub.data} />}
      {sub.data && <DeliveryLog id={id} />}
    </Stack>
  );
}

function Endpoint({ s }: { s: Subscription }) {
  const { t, dateTime } = useI18n();
  const { staff, base } = useWebhooksBase();
  const navigate = useNavigate();
  const accounts = useAccountOptions(staff && s.accountId !== null);
  const test = useSendTest();
  const update = useUpdateSubscription();
  const rotate = useRotateSecret();
  const remove = useDeleteSubscription();
  const [editing, setEditing] = useState(false);
  const owner =
    s.accountId === null
      ? t('webhooks.providerWide')
      : (accounts.data?.find((a) => a.value === String(s.accountId))?.label ?? `#${s.accountId}`);
  return (
    <Stack gap="sm">
      <Group gap="sm">
        <Title order={1} size="h3" ff="monospace" style={{ wordBreak: 'break-all' }}>
          {s.url}
        </Title>
        <EnabledBadge s={s} />
      </Group>
      <Stack component="dl" gap={4} m={0}>
        {s.description && <Field label={t('webhooks.col.description')}>{s.description}</Field>}
        {staff && <Field label={t('webhooks.col.owner')}>{owner}</Field>}
        <Field label={t('webhooks.col.events')}>
          <EventTypeList types={s.eventTypes} />
        </Field>
        <Field label={t('webhooks.col.status')}>
          {s.enabled
            ? t('webhooks.enabled')
            : `${t('webhooks.disabled')}${s.disabledReason ? `: ${s.disabledReason}` : ''}`}
        </Field>
        <Field label={t('webhooks.col.created')}>{dateTime(s.createdAt)}</Field>
        {s.previousSecretExpiresAt && new Date(s.previousSecretExpiresAt).getTime() > Date.now() && (
          <Field label={t('webhooks.secret.label')}>
            {t('webhooks.previousSecret')} {dateTime(s.previousSecretExpiresAt)}
          </Field>
        )}
      </Stack>
      <Group gap="xs" role="group" aria-label={t('webhooks.actions')}>
        <Button size="sm" onClick={() => test.mutate(s.id)} loading={test.isPending} disabled={!s.enabled}>
          {t('webhooks.action.test')}
        </Button>
        <Button
          size="sm"
          variant="default"
          loading={update.isPending}
          onClick={() => update.mutate({ id: s.id, body: { enabled: !s.enabled } })}
        >
          {s.enabled ? t('webhooks.action.disable') : t('webhooks.action.enable')}
        </Button>
        <Button size="sm" variant="default" onClick={() => setEditing(true)}>
          {t('webhooks.action.edit')}
        </Button>
        <ConfirmAction
          label={t('webhooks.action.rotate')}
          title={t('webhooks.rotate.title')}
          text={t('webhooks.rotate.text')}
          onConfirm={() => rotate.mutateAsync(s.id)}
        />
        <ConfirmAction
          danger
          label={t('webhooks.action.delete')}
          title={t('webhooks.delete.title')}
          text={t('webhooks.delete.text')}
          onConfirm={async () => {
            await remove.mutateAsync(s.id);
            void navigate(base);
          }}
        />
      </Group>
      {test.isSuccess && (
        <Text size="sm" role="status">
          {t('webhooks.action.testSent')}
        </Text>
      )}
      <ErrorAlert error={test.error ?? update.error} />
      {rotate.data && (
        <SecretOnce title={t('webhooks.rotated')} secret={rotate.data.secret} onDismiss={() => rotate.reset()} />
      )}
      <WebhookModal opened={editing} onClose={() => setEditing(false)} title={t('webhooks.edit.title')} size="lg">
        {editing && <EditEndpoint s={s} onClose={() => setEditing(false)} />}
      </WebhookModal>
    </Stack>
  );
}

function EditEndpoint({ s, onClose }: { s: Subscription; onClose: () => void }) {
  const { t } = useI18n();
  const update = useUpdateSubscription();
  return (
    <SubscriptionForm
      initial={{ url: s.url, description: s.description, accountId: '', eventTypes: s.eventTypes }}
      error={update.error}
      busy={update.isPending}
      submitLabel={t('webhooks.form.save')}
      onCancel={onClose}
      onSubmit={(d) => update.mutate({ id: s.id, body: draftBody(d) }, { onSuccess: onClose })}
    />
  );
}

function DeliveryLog({ id }: { id: number }) {
  const { t, dateTime } = useI18n();
  const [search, setSearch] = useSearchParams();
  const cursor = search.get('cursor') ?? undefined;
  const open = Number(search.get('delivery')) || null;
  const log = useDeliveries(id, cursor);
  const items = log.data?.items ?? [];
  const go = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(search);
    for (const [k, v] of Object.entries(next)) v === null ? p.delete(k) : p.set(k, v);
    setSearch(p);
  };
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        {t('webhooks.log.title')}
      </Title>
      <ErrorAlert error={log.error} />
      <Table striped aria-label={t('webhooks.log.title')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('webhooks.log.col.status')}</Table.Th>
            <Table.Th>{t('webhooks.log.col.event')}</Table.Th>
            <Table.Th>{t('webhooks.log.col.attempts')}</Table.Th>
            <Table.Th>{t('webhooks.log.col.code')}</Table.Th>
            <Table.Th>{t('webhooks.log.col.time')}</Table.Th>
            <Table.Th>
              <VisuallyHidden>{t('webhooks.log.open')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>
                <DeliveryStatusBadge status={d.status} />
              </Table.Td>
              <Table.Td ff="monospace">{d.eventType}</Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>{d.lastStatusCode ?? '—'}</Table.Td>
              <Table.Td>{dateTime(d.createdAt)}</Table.Td>
              <Table.Td>
                <Button size="compact-sm" variant="default" onClick={() => go({ delivery: String(d.id) })}>
                  {t('webhooks.log.open')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {log.isSuccess && items.length === 0 && !cursor && <Text c="dimmed">{t('webhooks.log.empty')}</Text>}
      <Group>
        {cursor && (
          <Button variant="default" onClick={() => go({ cursor: null })}>
            {t('webhooks.log.newest')}
          </Button>
        )}
        {log.data?.nextCursor && (
          <Button variant="default" onClick={() => go({ cursor: log.data.nextCursor })}>
            {t('webhooks.log.older')}
          </Button>
        )}
      </Group>
      <Drawer
        opened={open !== null}
        onClose={() => go({ delivery: null })}
        position="right"
        size="xl"
        title={t('webhooks.delivery.title')}
        closeButtonProps={{ 'aria-label': t('webhooks.close') }}
        styles={{ content: READABLE }}
      >
        {open !== null && <DeliveryDetail id={id} deliveryId={open} />}
      </Drawer>
    </Stack>
  );
}

function DeliveryDetail({ id, deliveryId }: { id: number; deliveryId: number }) {
  const { t, dateTime, number } = useI18n();
  const text = useEventTypeText();
  const q = useDelivery(id, deliveryId);
  const redeliver = useRedeliver();
  const d = q.data;
  if (!d)
    return q.error ? (
      <ErrorAlert error={q.error} />
    ) : (
      <Loader size="sm" role="status" aria-label={t('common.loading')} />
    );
  const attempts = d.attemptLog ?? [];
  return (
    <Stack gap="sm">
      <Group gap="sm">
        <Code fz="md">{d.eventType}</Code>
        <DeliveryStatusBadge status={d.status} />
      </Group>
      <Text size="sm">{text(d.eventType)}</Text>
      <Stack component="dl" gap={4} m={0}>
        <Field label={t('webhooks.delivery.id')}>
          <Code>{d.messageId}</Code>
        </Field>
        <Field label={t('webhooks.log.col.time')}>{dateTime(d.createdAt)}</Field>
        {d.deliveredAt && <Field label={t('webhooks.delivery.delivered')}>{dateTime(d.deliveredAt)}</Field>}
        {d.status === 'pending' && d.nextAttemptAt && (
          <Field label={t('webhooks.delivery.next')}>{dateTime(d.nextAttemptAt)}</Field>
        )}
      </Stack>
      <Group>
        <Button
          size="sm"
          loading={redeliver.isPending}
          onClick={() => redeliver.mutate({ id, deliveryId: d.id }, { onSuccess: () => void q.refetch() })}
        >
          {t('webhooks.redeliver')}
        </Button>
      </Group>
      {redeliver.isSuccess && (
        <Text size="sm" role="status">
          {t('webhooks.redelivered')}
        </Text>
      )}
      <ErrorAlert error={redeliver.error} />
      <Title order={3} size="h5">
        {t('webhooks.delivery.attempts')}
      </Title>
      {attempts.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('webhooks.attempt.none')}
        </Text>
      ) : (
        <Table striped aria-label={t('webhooks.delivery.attempts')} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('webhooks.attempt.time')}</Table.Th>
              <Table.Th>{t('webhooks.attempt.code')}</Table.Th>
              <Table.Th>{t('webhooks.attempt.duration')}</Table.Th>
              <Table.Th>{t('webhooks.attempt.response')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {attempts.map((a) => (
              <Table.Tr key={`${a.at}|${a.durationMs}`}>
                <Table.Td>
                  {dateTime(a.at)}
                  {a.manual && (
                    <Text size="xs" c="dimmed">
                      {t('webhooks.attempt.manual')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{a.statusCode ?? '—'}</Table.Td>
                <Table.Td>{number(a.durationMs)} ms</Table.Td>
                <Table.Td style={{ wordBreak: 'break-word' }}>
                  {a.error && (
                    <Text size="xs" c="red.9">
                      {t('webhooks.attempt.error')}: {a.error}
                    </Text>
                  )}
                  {a.responseSnippet && <Code block>{a.responseSnippet}</Code>}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Title order={3} size="h5">
        {t('webhooks.delivery.body')}
      </Title>
      <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {JSON.stringify(d.body, null, 2)}
      </Code>
    </Stack>
  );
}
