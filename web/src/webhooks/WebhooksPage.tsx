import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAccountOptions } from '../admin/queries.ts';
import { READABLE } from '../admin/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import {
  draftBody,
  EMPTY_DRAFT,
  EnabledBadge,
  EventTypeList,
  SecretOnce,
  SubscriptionForm,
  useWebhooksBase,
  WebhookModal,
} from './parts.tsx';
import { useCreateSubscription, useSubscriptions } from './queries.ts';

/**
 * Webhook endpoints, in the console (staff: every customer's and the provider-wide ones, with their owner) and in
 * the portal (a customer: their own), and the dialog that adds one and shows its signing secret once.
 */
export default function WebhooksPage() {
  const { t, dateTime } = useI18n();
  const { staff, base } = useWebhooksBase();
  const list = useSubscriptions();
  const accounts = useAccountOptions(staff);
  const [adding, setAdding] = useState(false);
  const owner = (accountId: number | null) =>
    accountId === null
      ? t('webhooks.providerWide')
      : (accounts.data?.find((a) => a.value === String(accountId))?.label ?? `#${accountId}`);
  const items = list.data?.items ?? [];
  return (
    <Stack style={READABLE}>
      <Group justify="space-between">
        <Title order={1} size="h3">
          {t('webhooks.title')}
        </Title>
        <Button onClick={() => setAdding(true)}>{t('webhooks.add')}</Button>
      </Group>
      <Text size="sm" maw={900}>
        {t('webhooks.intro')}
      </Text>
      <ErrorAlert error={list.error} />
      <Table striped aria-label={t('webhooks.title')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('webhooks.col.url')}</Table.Th>
            {staff && <Table.Th>{t('webhooks.col.owner')}</Table.Th>}
            <Table.Th>{t('webhooks.col.events')}</Table.Th>
            <Table.Th>{t('webhooks.col.status')}</Table.Th>
            <Table.Th>{t('webhooks.col.created')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td style={{ wordBreak: 'break-all' }}>
                <Anchor component={Link} to={`${base}/${s.id}`} ff="monospace" size="sm">
                  {s.url}
                </Anchor>
                {s.description && (
                  <Text size="xs" c="dimmed">
                    {s.description}
                  </Text>
                )}
              </Table.Td>
              {staff && <Table.Td>{owner(s.accountId)}</Table.Td>}
              <Table.Td>
                <EventTypeList types={s.eventTypes} />
              </Table.Td>
              <Table.Td>
                <EnabledBadge s={s} />
                {s.disabledReason && (
                  <Text size="xs" c="dimmed">
                    {s.disabledReason}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{dateTime(s.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {list.isSuccess && items.length === 0 && <Text c="dimmed">{t('webhooks.empty')}</Text>}
      <WebhookModal opened={adding} onClose={() => setAdding(false)} title={t('webhooks.add')} size="lg">
        {adding && <AddEndpoint accounts={staff ? accounts.data : undefined} onClose={() => setAdding(false)} />}
      </WebhookModal>
    </Stack>
  );
}

/** The new endpoint's form; once created, its signing secret (once), then on to the endpoint and its log. */
function AddEndpoint({
  accounts,
  onClose,
}: {
  accounts: { value: string; label: string }[] | undefined;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { base } = useWebhooksBase();
  const navigate = useNavigate();
  const create = useCreateSubscription();
  if (create.data) {
    const id = create.data.id;
    return (
      <SecretOnce
        title={t('webhooks.created')}
        secret={create.data.secret}
        onDismiss={() => {
          onClose();
          void navigate(`${base}/${id}`);
        }}
      />
    );
  }
  return (
    <SubscriptionForm
      initial={EMPTY_DRAFT}
      accounts={accounts}
      error={create.error}
      busy={create.isPending}
      submitLabel={t('webhooks.form.create')}
      onCancel={onClose}
      onSubmit={(d) => create.mutate({ ...draftBody(d), ...(d.accountId ? { accountId: Number(d.accountId) } : {}) })}
    />
  );
}
