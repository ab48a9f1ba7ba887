import { Alert, Button, Code, CopyButton, Group, Modal, type ModalProps, Stack, Text } from '@mantine/core';
import { type CSSProperties, type FormEvent, type ReactNode, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

/**
 * The API's reason for one field, to show under its input as well as in the error alert. A detail names a nested
 * field by path (`weeklyHours.mon[0][1]`, `included.dataMb`), so a prefix finds the input that holds it.
 */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const d = error.details.find(
    (x) => x.field === field || x.field?.startsWith(`${field}.`) || x.field?.startsWith(`${field}[`),
  );
  return d?.reason;
}

/**
 * Mantine draws errors (an invalid input, its message, a red alert's title) in red 6, under WCAG AA's 4.5:1 on
 * white; red 9 passes. Set on the admin screens and their dialogs (which render outside them, in a portal).
 */
export const READABLE = {
  '--mantine-color-error': 'var(--mantine-color-red-9)',
  '--mantine-color-red-light-color': 'var(--mantine-color-red-9)',
} as CSSProperties;

/** The admin screens' dialog: readable error colours, and a close button that says what it does. */
export const AdminModal = (props: ModalProps) => (
  <Modal closeButtonProps={{ 'aria-label': 'Close' }} styles={{ content: READABLE }} {...props} />
);

/**
 * The body every admin dialog's form shares: no browser validation (the API's messages are the ones shown, under
 * each field and in the alert), the error alert, then Cancel and the submit button. Each form gives its fields.
 */
export function AdminForm({
  onSubmit,
  error,
  busy,
  submitLabel,
  onCancel,
  children,
}: {
  onSubmit: () => void;
  error: unknown;
  busy: boolean;
  submitLabel: string;
  onCancel: () => void;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        {children}
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** A comma- or space-separated list as the user typed it, to the array the API takes. */
export const splitList = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/**
 * A number field as typed. Empty is "not given" on a new item (the API's default applies, or it says the field is
 * required); on a saved item it goes as null, so the API names the emptied field instead of keeping the old value.
 */
export const numberField = (v: string | number, saved = false) => (v === '' ? (saved ? null : undefined) : Number(v));

/** A secret the API returns only once: shown with copy buttons until dismissed, never stored anywhere. */
export function SecretOnce({
  title,
  rows,
  onDismiss,
}: {
  title: string;
  rows: { label: string; value: string }[];
  onDismiss: () => void;
}) {
  return (
    <Alert color="yellow" title={title} role="region" aria-label={title} c="dark.9">
      <Stack gap="xs">
        <Text size="sm">Copy it now: it is shown once, and only its hash is kept.</Text>
        {rows.map((r) => (
          <Group key={r.label} gap="xs" wrap="nowrap">
            <Text size="sm" fw={600} w={160}>
              {r.label}
            </Text>
            <Code style={{ wordBreak: 'break-all' }} aria-label={r.label}>
              {r.value}
            </Code>
            <CopyButton value={r.value}>
              {({ copied, copy }) => (
                <Button size="compact-xs" variant="default" onClick={copy} aria-label={`Copy ${r.label}`}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        ))}
        <Group>
          <Button size="xs" variant="default" onClick={onDismiss}>
            I have copied it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

/** A destructive action behind a confirmation dialog that says what will happen. */
export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  onConfirm,
  ariaLabel,
}: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  ariaLabel?: string;
}) {
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
      <Button size="compact-sm" color="red.9" variant="outline" onClick={() => setOpen(true)} aria-label={ariaLabel}>
        {label}
      </Button>
      <AdminModal opened={open} onClose={() => setOpen(false)} title={title} centered>
        <Stack>
          {children}
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={() => void confirm()}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </AdminModal>
    </>
  );
}
