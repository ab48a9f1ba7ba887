import { Alert, Button, Checkbox, FileInput, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useImportPlans } from './queries.ts';
import { AdminModal } from './ui.tsx';

type Result = Schemas['ImportPlansResult'];

/**
 * A customer's plans from a file: check first (a dry run lists what would be created or changed, or every bad plan
 * by its place in the file), then import, all or nothing. The file is what `iotops plans import` reads.
 */
export function PlanImportDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [upsert, setUpsert] = useState(false);
  const [notJson, setNotJson] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const run = useImportPlans();
  const close = () => {
    setFile(null);
    setResult(null);
    setNotJson(null);
    run.reset();
    onClose();
  };
  const go = async (dryRun: boolean) => {
    if (!file) return;
    setResult(null);
    setNotJson(null);
    run.reset();
    let body: Schemas['ImportPlansRequestInput'];
    try {
      body = JSON.parse(await file.text());
    } catch (e) {
      setNotJson(`${file.name} is not JSON: ${(e as Error).message}`);
      return;
    }
    setResult(await run.mutateAsync({ body, upsert, dryRun }).catch(() => null));
  };
  const rows = result
    ? [
        ...result.communicationPlans.map((p) => ({ ...p, kind: 'Communication plan' })),
        ...result.ratePlans.map((p) => ({ ...p, kind: 'Rate plan' })),
      ]
    : [];
  return (
    <AdminModal opened={opened} onClose={close} title="Import plans" size="lg">
      <Stack gap="sm">
        <Text size="sm">
          A JSON file with <code>communicationPlans</code> and <code>ratePlans</code>, each plan as the API creates it
          (including the overage action and the IMEI lock). Nothing is written unless every plan is right.
        </Text>
        <FileInput
          label="Plans file"
          accept="application/json,.json"
          value={file}
          onChange={(f) => {
            setFile(f);
            setResult(null);
            run.reset();
          }}
          clearable
          clearButtonProps={{ 'aria-label': 'Remove the file' }}
        />
        <Checkbox
          label="Change plans that already exist (same name and owner) to what the file says"
          checked={upsert}
          onChange={(e) => setUpsert(e.currentTarget.checked)}
        />
        {notJson && (
          <Alert color="red" role="alert" title="The file cannot be read">
            {notJson}
          </Alert>
        )}
        <ErrorAlert error={run.error} />
        {result && (
          <Stack gap="xs">
            <Text fw={600} role="status">
              {result.dryRun ? 'Checked, nothing written yet: ' : 'Imported: '}
              {rows.filter((r) => r.outcome === 'created').length} {result.dryRun ? 'to create' : 'created'},{' '}
              {rows.filter((r) => r.outcome === 'updated').length} {result.dryRun ? 'to change' : 'changed'}
            </Text>
            <Table aria-label="Import result">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Plan</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Owner</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={`${r.kind}-${r.index}`}>
                    <Table.Td>{r.name}</Table.Td>
                    <Table.Td>{r.kind}</Table.Td>
                    <Table.Td>{r.accountId === null ? 'shared' : `account #${r.accountId}`}</Table.Td>
                    <Table.Td>{result.dryRun ? `would be ${r.outcome}` : r.outcome}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {result && !result.dryRun ? 'Done' : 'Cancel'}
          </Button>
          <Button variant="default" disabled={!file} loading={run.isPending} onClick={() => go(true)}>
            Check
          </Button>
          <Button disabled={!file || result?.dryRun === false} loading={run.isPending} onClick={() => go(false)}>
            Import
          </Button>
        </Group>
      </Stack>
    </AdminModal>
  );
}
