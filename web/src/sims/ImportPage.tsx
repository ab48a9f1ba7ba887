import {
  Anchor,
  Button,
  Card,
  FileInput,
  Group,
  Progress,
  Radio,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, type Schemas, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

type Job = Schemas['SimImportJob'];
const IMPORTS: keyof paths = '/api/v1/sims/imports';

/**
 * The file goes up with XMLHttpRequest, not fetch: only XHR reports upload progress, which is what the progress
 * bar and rows/s show (the server reads the CSV as it streams in). The answer is the import job, typed from the
 * generated schema like every other call.
 */
function upload(file: File, query: URLSearchParams, onProgress: (sent: number) => void): Promise<Job> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${IMPORTS}?${query}`);
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as Job);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, { error: { message: 'The upload was interrupted.' } }));
    xhr.send(file);
  });
}

/** Bulk SIM import (the public CSV contract): upload with progress, the job's counters, line errors to download. */
export default function ImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<'atomic' | 'skip-invalid'>('atomic');
  const [upsert, setUpsert] = useState(false);
  const [progress, setProgress] = useState<{ sent: number; t0: number; lines: number } | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  const errors = useQuery({
    queryKey: ['sims', 'imports', job?.id, 'errors'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/sims/imports/{id}/errors', { params: { path: { id: job!.id }, query: { limit: 20 } } })),
    enabled: job !== null && job.counters.rowsRejected > 0,
  });

  const start = async () => {
    if (!file) return;
    setError(null);
    setJob(null);
    // Lines in the file, to turn bytes sent into rows per second.
    const lines = Math.max(1, (await file.text()).split('\n').length - 2);
    const t0 = performance.now();
    setProgress({ sent: 0, t0, lines });
    try {
      const q = new URLSearchParams({ filename: file.name, mode, upsert: String(upsert), wait: 'true' });
      setJob(await upload(file, q, (sent) => setProgress({ sent, t0, lines })));
    } catch (e) {
      setError(e);
    }
  };
  const pct = progress && file ? Math.min(100, (progress.sent / Math.max(file.size, 1)) * 100) : 0;
  const secs = progress ? (performance.now() - progress.t0) / 1000 : 0;
  const rowsPerSec = progress && file && secs > 0 ? ((progress.sent / file.size) * progress.lines) / secs : 0;
  const errorRows = errors.data && typeof errors.data !== 'string' ? errors.data.items : [];

  return (
    <Stack>
      <Title order={1} size="h3">
        SIM import
      </Title>
      <Card withBorder>
        <Stack gap="sm">
          <FileInput label="CSV file (SIM import contract v1)" accept=".csv,text/csv" value={file} onChange={setFile} />
          <Radio.Group label="When a line is bad" value={mode} onChange={(v) => setMode(v as typeof mode)}>
            <Group>
              <Radio value="atomic" label="Import nothing (atomic)" />
              <Radio value="skip-invalid" label="Import the good lines" />
            </Group>
          </Radio.Group>
          <Switch
            label="Update SIMs that exist (upsert)"
            checked={upsert}
            onChange={(e) => setUpsert(e.currentTarget.checked)}
          />
          <Group>
            <Button onClick={() => void start()} disabled={!file} loading={progress !== null && !job && !error}>
              Import
            </Button>
          </Group>
          {progress && (
            <>
              <Progress value={pct} aria-label={`Upload ${Math.round(pct)} %`} />
              <Text size="sm">
                {Math.round(pct)} % sent · {Math.round(rowsPerSec).toLocaleString()} rows/s
              </Text>
            </>
          )}
          <ErrorAlert error={error} />
        </Stack>
      </Card>
      {job && (
        <Card withBorder aria-label="Import result">
          <Text fw={600}>
            Import #{job.id} {job.status}: {job.counters.rowsImported} imported, {job.counters.rowsUpdated} updated,{' '}
            {job.counters.rowsRejected} rejected of {job.counters.rowsRead} lines
          </Text>
          {job.message && <Text size="sm">{job.message}</Text>}
          {job.counters.rowsRejected > 0 && (
            <>
              <Anchor href={`/api/v1/sims/imports/${job.id}/errors?format=csv`} download>
                Download the line errors (CSV)
              </Anchor>
              <Table fz="sm" aria-label="Line errors">
                <Table.Tbody>
                  {errorRows.map((e) => (
                    <Table.Tr key={`${e.line}-${e.field}`}>
                      <Table.Td>line {e.line}</Table.Td>
                      <Table.Td>{e.field}</Table.Td>
                      <Table.Td>{String(e.value ?? '')}</Table.Td>
                      <Table.Td>{e.reason}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </Card>
      )}
      <Card withBorder>
        <Text size="sm">
          Export in the same format (round-trips):{' '}
          <Anchor href="/api/v1/sims/export" download>
            all SIMs you can see (CSV)
          </Anchor>
        </Text>
      </Card>
    </Stack>
  );
}
