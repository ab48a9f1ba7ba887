import { Button, Card, FileInput, Group, SegmentedControl, Stack, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { uploadAttachment } from './CaseAttachments.tsx';
import { MailRecipients } from './MailRecipients.tsx';

type Draft = { body: Schemas['CreateCaseEventRequestInput']; files: File[] };
type Mode = 'note' | 'update' | 'email';

/**
 * Staff write an internal note, a public update (shown in the portal, and mailed to the case's contacts as an
 * update) or a reply by e-mail (an email_out, mailed to the contacts, always public; who gets it shows under the
 * field); a customer writes a portal message; any of them with files attached. The text is saved first (a failed
 * save keeps it, in sessionStorage too), then each file is attached to the entry it created — in the case it
 * landed in (a late customer reply opens a follow-up).
 */
export function CaseComposer({
  number,
  staff,
  contacts = [],
}: {
  number: string;
  staff: boolean;
  /** The case's contacts: the e-mail reply goes to those with an address. */
  contacts?: Schemas['CaseContact'][];
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const draftKey = `iotops.draft.${number}`;
  const [text, setText] = useState(() => sessionStorage.getItem(draftKey) ?? '');
  const [files, setFiles] = useState<File[]>([]);
  const [mode, setMode] = useState<Mode>('note');
  const update = (v: string) => {
    setText(v);
    sessionStorage.setItem(draftKey, v);
  };
  const send = useMutation({
    mutationFn: async ({ body, files }: Draft) => {
      const entry = await unwrap(api.POST('/api/v1/cases/{number}/events', { params: { path: { number } }, body }));
      // The entry exists now: the text must not be sent twice, whatever happens to the files.
      update('');
      for (const f of files) await uploadAttachment(entry.caseNumber, entry.id, f);
      setFiles([]);
      return entry;
    },
    onSettled: () => qc.invalidateQueries({ queryKey: keys.cases.one(number) }),
  });
  const bodyOf = (): Schemas['CreateCaseEventRequestInput'] => {
    if (!staff) return { kind: 'portal_message', body: text };
    if (mode === 'email') return { kind: 'email_out', body: text };
    return { kind: 'note', visibility: mode === 'note' ? 'internal' : 'public', body: text };
  };
  const label = { note: t('case.note'), update: t('case.reply'), email: t('case.email') }[mode];
  return (
    <Card withBorder>
      <Stack gap="xs">
        {staff && (
          <SegmentedControl
            value={mode}
            onChange={(v) => setMode(v as Mode)}
            data={[
              { value: 'note', label: t('case.note') },
              { value: 'update', label: t('case.reply') },
              { value: 'email', label: t('case.email') },
            ]}
          />
        )}
        <Textarea
          label={staff ? label : t('portal.cases.reply')}
          placeholder={t('case.compose')}
          autosize
          minRows={3}
          value={text}
          onChange={(e) => update(e.currentTarget.value)}
        />
        {staff && mode === 'email' && <MailRecipients contacts={contacts} />}
        <FileInput label={t('case.attachFiles')} multiple clearable value={files} onChange={setFiles} />
        <ErrorAlert error={send.error} />
        <Group>
          <Button
            onClick={() => send.mutate({ body: bodyOf(), files })}
            disabled={!text.trim()}
            loading={send.isPending}
          >
            {!staff ? t('portal.cases.reply') : mode === 'email' ? t('case.send') : t('case.add')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
