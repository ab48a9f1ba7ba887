import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  type ModalProps,
  NativeSelect,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { fieldError, READABLE } from '../admin/ui.tsx';
import type { Schemas } from '../api/client.ts';
import { isStaff, useMe } from '../auth/session.ts';
import { useI18n } from '../i18n/index.tsx';
import type { PortalKey } from '../i18n/portal.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { type Delivery, type EventType, type Subscription, useEventTypes } from './queries.ts';

/** Where the screens live: the console's /webhooks for staff, the portal's /portal/webhooks for a customer. */
export function useWebhooksBase() {
  const me = useMe();
  const staff = me.data ? isStaff(me.data) : false;
  return { staff, base: staff ? '/webhooks' : '/portal/webhooks' };
}

/** An event type's meaning in the user's language (the API's English description for a type this build lacks). */
export function useEventTypeText() {
  const { t } = useI18n();
  const types = useEventTypes();
  return (type: string) => {
    const key = `webhooks.type.${type}` as PortalKey;
    const text = t(key);
    return text === key ? (types.data?.items.find((x) => x.type === type)?.description ?? '') : text;
  };
}

/** The webhooks screens' dialog: readable error colours, a close button named in the user's language. */
export function WebhookModal(props: ModalProps) {
  const { t } = useI18n();
  return <Modal closeButtonProps={{ 'aria-label': t('webhooks.close') }} styles={{ content: READABLE }} {...props} />;
}

export function EnabledBadge({ s }: { s: Subscription }) {
  const { t } = useI18n();
  return s.enabled ? (
    <Badge variant="light" color="teal" c="dark.9" tt="none">
      {t('webhooks.enabled')}
    </Badge>
  ) : (
    <Badge variant="light" color="gray" c="dark.9" tt="none">
      {t('webhooks.disabled')}
    </Badge>
  );
}

const STATUS_COLOR: Record<Delivery['status'], string> = { pending: 'yellow', succeeded: 'teal', failed: 'red' };
const STATUS_KEY: Record<Delivery['status'], PortalKey> = {
  pending: 'webhooks.status.pending',
  succeeded: 'webhooks.status.succeeded',
  failed: 'webhooks.status.failed',
};
export function DeliveryStatusBadge({ status }: { status: Delivery['status'] }) {
  const { t } = useI18n();
  return (
    <Badge variant="light" color={STATUS_COLOR[status]} c="dark.9" tt="none">
      {t(STATUS_KEY[status])}
    </Badge>
  );
}

/** A subscription's event types: "All event types" for `*`, else each name as a receiver's code matches it. */
export function EventTypeList({ types }: { types: readonly string[] }) {
  const { t } = useI18n();
  const text = useEventTypeText();
  if (types.includes('*'))
    return (
      <Badge variant="light" color="blue" c="dark.9" tt="none">
        {t('webhooks.allEvents')}
      </Badge>
    );
  return (
    <Group gap={4}>
      {types.map((type) => (
        <Badge key={type} variant="light" color="gray" c="dark.9" tt="none" title={text(type)}>
          {type}
        </Badge>
      ))}
    </Group>
  );
}

/**
 * A signing secret the API returns once (at creation and rotation): shown with a copy button until dismissed,
 * kept nowhere (not in the URL, not in history state).
 */
export function SecretOnce({ title, secret, onDismiss }: { title: string; secret: string; onDismiss: () => void }) {
  const { t } = useI18n();
  return (
    <Alert color="yellow" title={title} role="region" aria-label={title} c="dark.9">
      <Stack gap="xs">
        <Text size="sm">{t('webhooks.secret.once')}</Text>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" fw={600}>
            {t('webhooks.secret.label')}
          </Text>
          <Code style={{ wordBreak: 'break-all' }} aria-label={t('webhooks.secret.label')}>
            {secret}
          </Code>
          <CopyButton value={secret} timeout={4000}>
            {({ copied, copy }) => (
              <Button size="compact-xs" variant="default" onClick={copy} style={{ flexShrink: 0 }}>
                {copied ? t('webhooks.secret.copied') : t('webhooks.secret.copy')}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Group>
          <Button size="xs" variant="default" onClick={onDismiss}>
            {t('webhooks.secret.done')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

/** An action behind a confirmation dialog that says what will happen; the API's refusal shows in the dialog. */
export function ConfirmAction({
  label,
  title,
  text,
  danger,
  onConfirm,
}: {
  label: string;
  title: string;
  text: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        size="sm"
        variant={danger ? 'outline' : 'default'}
        color={danger ? 'red.9' : undefined}
        onClick={() => setOpen(true)}
      >
        {label}
      </Button>
      <WebhookModal opened={open} onClose={() => setOpen(false)} title={title} centered>
        <Stack>
          <Text size="sm">{text}</Text>
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              {t('webhooks.cancel')}
            </Button>
            <Button color={danger ? 'red.9' : undefined} loading={busy} onClick={() => void confirm()}>
              {label}
            </Button>
          </Group>
        </Stack>
      </WebhookModal>
    </>
  );
}

export type SubscriptionDraft = { url: string; description: string; accountId: string; eventTypes: string[] };
export const EMPTY_DRAFT: SubscriptionDraft = { url: '', description: '', accountId: '', eventTypes: ['*'] };

/**
 * A subscription's fields, for a new one or a change: the URL (the API's reason when it refuses it shows under the
 * field and in the alert), what it is for, whose events (staff, new ones only: an account or the whole provider),
 * and the event types — every one (`*`, also those added later) or those ticked, from the API's list (a customer
 * sees only the types meant for customers).
 */
export function SubscriptionForm({
  initial,
  accounts,
  error,
  busy,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: SubscriptionDraft;
  /** Staff creating one: the accounts to choose from ('' = provider-wide); absent otherwise. */
  accounts?: { value: string; label: string }[] | undefined;
  error: unknown;
  busy: boolean;
  submitLabel: string;
  onSubmit: (d: SubscriptionDraft) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const { staff } = useWebhooksBase();
  const types = useEventTypes();
  const text = useEventTypeText();
  const [d, setD] = useState<SubscriptionDraft>(initial);
  const all = d.eventTypes.includes('*');
  const offered = (types.data?.items ?? []).filter((x) => staff || x.customers);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(d);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label={t('webhooks.form.url')}
          description={t('webhooks.form.urlHint')}
          placeholder="https://"
          required
          value={d.url}
          onChange={(e) => setD({ ...d, url: e.currentTarget.value })}
          error={fieldError(error, 'url')}
        />
        <TextInput
          label={t('webhooks.form.description')}
          value={d.description}
          onChange={(e) => setD({ ...d, description: e.currentTarget.value })}
          error={fieldError(error, 'description')}
        />
        {accounts && (
          <NativeSelect
            label={t('webhooks.form.account')}
            data={[{ value: '', label: t('webhooks.providerWide') }, ...accounts]}
            value={d.accountId}
            onChange={(e) => setD({ ...d, accountId: e.currentTarget.value })}
            error={fieldError(error, 'accountId')}
          />
        )}
        <Checkbox
          label={t('webhooks.form.allEvents')}
          checked={all}
          onChange={(e) => setD({ ...d, eventTypes: e.currentTarget.checked ? ['*'] : [] })}
        />
        <Checkbox.Group
          label={t('webhooks.form.events')}
          value={all ? [] : d.eventTypes}
          onChange={(v) => setD({ ...d, eventTypes: v })}
          error={fieldError(error, 'eventTypes')}
        >
          <Stack gap={6} mt={6}>
            {offered.map((x) => (
              <Checkbox
                key={x.type}
                value={x.type}
                disabled={all}
                label={<Code>{x.type}</Code>}
                description={text(x.type)}
              />
            ))}
          </Stack>
        </Checkbox.Group>
        <ErrorAlert error={error ?? types.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t('webhooks.cancel')}
          </Button>
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The draft as the API takes it. */
export const draftBody = (d: SubscriptionDraft) => ({
  url: d.url.trim(),
  description: d.description,
  eventTypes: d.eventTypes as EventType[],
});

/** A label and its value, in a definition list. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text component="dt" size="sm" fw={600} w={200} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text component="dd" size="sm" m={0} style={{ wordBreak: 'break-word' }}>
        {children}
      </Text>
    </Group>
  );
}

export type CreateBody = Schemas['CreateWebhookSubscriptionRequestInput'];
