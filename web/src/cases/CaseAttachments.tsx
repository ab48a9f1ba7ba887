import { Button, Group, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

const size = (n: number) =>
  n >= 1_048_576 ? `${(n / 1_048_576).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} kB` : `${n} B`;

/**
 * Sends one file as the raw body of POST …/events/{eventId}/attachments (its type is stored and answered on
 * download). The generated client would JSON-encode the body, so the file goes through as it is.
 */
export function uploadAttachment(number: string, eventId: number, file: File) {
  return unwrap(
    api.POST('/api/v1/cases/{number}/events/{eventId}/attachments', {
      params: { path: { number, eventId }, query: { filename: file.name } },
      body: file as unknown as string,
      bodySerializer: (b: unknown) => b as string,
      headers: { 'content-type': file.type || 'application/octet-stream' },
    }),
  );
}

/** Fetches the bytes through the typed client (the session cookie rides along) and hands them to the browser. */
async function download(number: string, a: Schemas['CaseAttachment']) {
  const blob = await unwrap(
    api.GET('/api/v1/cases/{number}/attachments/{id}', {
      params: { path: { number, id: a.id } },
      parseAs: 'blob',
    }),
  );
  const url = URL.createObjectURL(blob as unknown as Blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = a.filename;
  link.click();
  // The click has handed the blob to the download manager; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A timeline entry's files: name, size and a download button each. */
export function AttachmentList({ number, items }: { number: string; items: Schemas['CaseAttachment'][] }) {
  const { t } = useI18n();
  const get = useMutation({ mutationFn: (a: Schemas['CaseAttachment']) => download(number, a) });
  if (items.length === 0) return null;
  return (
    <div>
      <Group gap="xs" mt={4} aria-label={t('case.attachments')} role="group">
        {items.map((a) => (
          <Button
            key={a.id}
            size="compact-xs"
            variant="default"
            loading={get.isPending && get.variables?.id === a.id}
            onClick={() => get.mutate(a)}
            aria-label={`${t('case.download')} ${a.filename}`}
          >
            📎 {a.filename} ({size(a.size)})
          </Button>
        ))}
      </Group>
      {get.error && (
        <Text size="xs" component="div">
          <ErrorAlert error={get.error} />
        </Text>
      )}
    </div>
  );
}
