import { Button, Group, Radio, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { type FormEvent, type ReactNode, useState } from 'react';
import { fieldError } from '../admin/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { MailModal, senderOf } from './parts.tsx';
import { type MailSummary, useAccountSearch, useAssignMail, useDismissMail } from './queries.ts';

/**
 * What an agent does with a mail in triage, each in a dialog that names the mail: open a case for it on an account
 * (the sender becomes that account's contact), add it to a case (staff only, or the customer too), or dismiss it
 * (kept, on no case). The API's refusal (a case that does not exist, a mail someone else handled: 409) shows in the
 * dialog, under the field it names.
 */
export type TriageAction = { kind: 'open' | 'add' | 'dismiss'; mail: MailSummary };
/** What became of a mail: the case it is on now, or null when dismissed. */
export type Done = { mailId: number; subject: string; from: string; caseNumber: string | null };

export function TriageDialog({
  action,
  opened,
  onClose,
  onDone,
}: {
  action: TriageAction | null;
  opened: boolean;
  onClose: () => void;
  onDone: (d: Done) => void;
}) {
  const { t } = useI18n();
  const title = action
    ? t(action.kind === 'open' ? 'mail.open.title' : action.kind === 'add' ? 'mail.add.title' : 'mail.dismiss.title')
    : '';
  const m = action?.mail;
  const done = (caseNumber: string | null) =>
    m &&
    onDone({
      mailId: m.id,
      subject: m.subject || t('mail.noSubject'),
      from: senderOf(m, t('mail.noSender')),
      caseNumber,
    });
  return (
    <MailModal opened={opened} onClose={onClose} title={title} size="lg">
      {action && m && (
        <Stack gap="sm">
          <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
            {m.subject || t('mail.noSubject')} — {senderOf(m, t('mail.noSender'))}
          </Text>
          {/* Keyed by the mail: another mail's dialog never inherits this one's form. */}
          {action.kind === 'open' && <OpenCase key={m.id} mail={m} onCancel={onClose} onDone={done} />}
          {action.kind === 'add' && <AddToCase key={m.id} mail={m} onCancel={onClose} onDone={done} />}
          {action.kind === 'dismiss' && <Dismiss key={m.id} mail={m} onCancel={onClose} onDone={() => done(null)} />}
        </Stack>
      )}
    </MailModal>
  );
}

type FormProps = { mail: MailSummary; onCancel: () => void; onDone: (caseNumber: string | null) => void };

/** The dialog's form: no browser validation (the API's messages are shown), the alert, Cancel and the action. */
function ActionForm({
  onSubmit,
  error,
  busy,
  label,
  onCancel,
  children,
  ready = true,
}: {
  /** False until the form holds what the action needs. */
  ready?: boolean;
  onSubmit: () => void;
  error: unknown;
  busy: boolean;
  label: string;
  onCancel: () => void;
  children: ReactNode;
}) {
  const { t } = useI18n();
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
            {t('mail.cancel')}
          </Button>
          <Button type="submit" loading={busy} disabled={!ready}>
            {label}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function OpenCase({ mail, onCancel, onDone }: FormProps) {
  const { t } = useI18n();
  const assign = useAssignMail();
  const [picked, setPicked] = useState<{ value: string; label: string } | null>(null);
  const [search, setSearch] = useState('');
  // The accounts are searched on the server (name contains, number starts with); once one is picked, its label in
  // the field is not a search.
  const [q] = useDebouncedValue(picked && search === picked.label ? '' : search, 250);
  const accounts = useAccountSearch(q);
  const options = (accounts.data?.items ?? []).map((a) => ({ value: String(a.id), label: `${a.name} (${a.number})` }));
  if (picked && !options.some((o) => o.value === picked.value)) options.unshift(picked);
  return (
    <ActionForm
      label={t('mail.action.open')}
      ready={picked !== null}
      error={assign.error ?? accounts.error}
      busy={assign.isPending}
      onCancel={onCancel}
      onSubmit={() =>
        picked &&
        assign.mutate(
          { id: mail.id, body: { accountId: Number(picked.value) } },
          { onSuccess: (r) => onDone(r.caseNumber) },
        )
      }
    >
      <Text size="sm">{t('mail.open.text')}</Text>
      <Select
        label={t('mail.open.account')}
        placeholder={t('mail.open.search')}
        required
        searchable
        data={options}
        value={picked?.value ?? null}
        onChange={(v, option) => setPicked(v ? { value: v, label: option.label } : null)}
        searchValue={search}
        onSearchChange={setSearch}
        // The server filtered already: every option it answered is offered.
        filter={({ options: all }) => all}
        nothingFoundMessage={accounts.isFetching ? t('common.loading') : t('common.none')}
        error={fieldError(assign.error, 'accountId')}
        comboboxProps={{ withinPortal: true }}
      />
    </ActionForm>
  );
}

function AddToCase({ mail, onCancel, onDone }: FormProps) {
  const { t } = useI18n();
  const assign = useAssignMail();
  const [caseNumber, setCaseNumber] = useState(mail.namedCaseNumber ?? '');
  const [visibility, setVisibility] = useState<'internal' | 'public'>('internal');
  return (
    <ActionForm
      label={t('mail.action.add')}
      error={assign.error}
      busy={assign.isPending}
      onCancel={onCancel}
      onSubmit={() =>
        assign.mutate(
          { id: mail.id, body: { caseNumber: caseNumber.trim().toUpperCase(), visibility } },
          { onSuccess: (r) => onDone(r.caseNumber) },
        )
      }
    >
      <TextInput
        label={t('mail.add.case')}
        placeholder="C-2026-000123"
        required
        value={caseNumber}
        onChange={(e) => setCaseNumber(e.currentTarget.value)}
        error={fieldError(assign.error, 'caseNumber')}
        data-autofocus
      />
      <Radio.Group
        label={t('mail.add.visibility')}
        value={visibility}
        onChange={(v) => setVisibility(v as 'internal' | 'public')}
      >
        <Stack gap={6} mt={6}>
          <Radio value="internal" label={t('mail.add.internal')} />
          <Radio value="public" label={t('mail.add.public')} />
        </Stack>
      </Radio.Group>
    </ActionForm>
  );
}

function Dismiss({ mail, onCancel, onDone }: Omit<FormProps, 'onDone'> & { onDone: () => void }) {
  const { t } = useI18n();
  const dismiss = useDismissMail();
  const [note, setNote] = useState('');
  return (
    <ActionForm
      label={t('mail.action.dismiss')}
      error={dismiss.error}
      busy={dismiss.isPending}
      onCancel={onCancel}
      onSubmit={() => dismiss.mutate({ id: mail.id, note: note.trim() || undefined }, { onSuccess: onDone })}
    >
      <Text size="sm">{t('mail.dismiss.text')}</Text>
      <Textarea
        label={t('mail.dismiss.note')}
        autosize
        minRows={2}
        maxLength={500}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        error={fieldError(dismiss.error, 'note')}
      />
    </ActionForm>
  );
}
