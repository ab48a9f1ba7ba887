import { Button, Card, FileInput, Group, SegmentedControl, Stack, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { uploadAttachment } from './CaseAttachments.tsx';

type Draft = { body: Schemas['CreateCaseEventRequestInput']; files: File[] };

/**
 * Staff write an internal note or a public reply; a customer writes a portal message; any of them with files
 * attached. The text is saved first (a failed save keeps it, in sessionStorage too), then each file is attached to
 * the entry it created — in the case it landed in (a late customer reply opens a follow-up).
 */
export function CaseComposer({ number, staff }: { number: string; staff: boolean }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const draftKey = `iotops.draft.${number}`;
  const [text, setText] = useState(() => sessionStorage.getItem(draftKey) ?? '');
  const [files, setFiles] = useState<File[]>([]);
  const [mode, setMode] = useState<'note' | 'reply'>('note');
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
  const submit = () =>
    send.mutate({
      body: staff
        ? { kind: 'note', visibility: mode === 'note' ? 'internal' : 'public', body: text }
        : { kind: 'portal_message', body: text },
      files,
    });
  return (
    <Card withBorder>
      <Stack gap="xs">
        {staff && (
          <SegmentedControl
            value={mode}
            onChange={(v) => setMode(v as 'note' | 'reply')}
            data={[
              { value: 'note', label: t('case.note') },
              { value: 'reply', label: t('case.reply') },
            ]}
          />
        )}
        <Textarea
          label={staff ? (mode === 'note' ? t('case.note') : t('case.reply')) : t('portal.cases.reply')}
          placeholder={t('case.compose')}
          autosize
          minRows={3}
          value={text}
          onChange={(e) => update(e.currentTarget.value)}
        />
        <FileInput label={t('case.attachFiles')} multiple clearable value={files} onChange={setFiles} />
        <ErrorAlert error={send.error} />
        <Group>
          <Button onClick={submit} disabled={!text.trim()} loading={send.isPending}>
            {staff ? t('case.add') : t('portal.cases.reply')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
