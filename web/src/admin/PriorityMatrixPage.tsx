import { Alert, Button, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { cells, changes, GRIDS, type GridKey, type Matrix, MatrixGrid } from './MatrixGrid.tsx';
import {
  MATRIX_HISTORY_LIMIT,
  useDefaultPriorityMatrix,
  usePriorityMatrix,
  usePriorityMatrixHistory,
  useReplacePriorityMatrix,
  useResetPriorityMatrix,
} from './queries.ts';
import { ConfirmButton } from './ui.tsx';

/**
 * The priority matrix: impact and urgency tables and the priority they give. Edits are a draft until saved as a
 * whole (the API replaces the matrix in one version and recomputes every open case's priority).
 */
export default function PriorityMatrixPage() {
  const { dateTime, number } = useI18n();
  const current = usePriorityMatrix();
  const history = usePriorityMatrixHistory();
  const replace = useReplacePriorityMatrix();
  const reset = useResetPriorityMatrix();
  const [draft, setDraft] = useState<Matrix | null>(null);
  const builtIn = useDefaultPriorityMatrix(current.data?.isDefault === false);
  if (current.error) return <ErrorAlert error={current.error} />;
  if (!current.data) return <Text>Loading…</Text>;
  const inForce = current.data;
  const saved = inForce.matrix;
  const shown = draft ?? saved;
  const pending = changes(saved, shown);
  const outcome = replace.data ?? reset.data;

  const edit = (g: GridKey, row: string, col: string, v: string) => {
    const next = structuredClone(shown);
    (cells(next, g)[row] as Record<string, string>)[col] = v;
    setDraft(next);
  };
  const save = () =>
    replace.mutate(shown, {
      onSuccess: () => {
        reset.reset();
        setDraft(null);
      },
    });
  const items = history.data?.items ?? [];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          Priority matrix
        </Title>
        <Text size="sm">
          {inForce.isDefault ? 'The built-in default is in force' : `Version ${inForce.version} in force`}
          {inForce.updatedBy && ` (changed by ${inForce.updatedBy.label}, ${dateTime(inForce.updatedAt)})`}
        </Text>
      </Group>
      {outcome && !draft && (
        <Alert
          color="teal"
          role="status"
          c="dark.9"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => {
            replace.reset();
            reset.reset();
          }}
        >
          Saved as version {outcome.version}. {number(outcome.recomputed.examined)} open cases examined,{' '}
          {number(outcome.recomputed.changed)} changed priority (each noted on its timeline).
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {GRIDS.map((g) => (
          <MatrixGrid
            key={g.key}
            grid={g}
            matrix={shown}
            saved={saved}
            error={replace.error}
            onChange={(r, c, v) => edit(g.key, r, c, v)}
          />
        ))}
      </SimpleGrid>
      <ErrorAlert error={replace.error} />
      <Group>
        <Button onClick={save} disabled={pending.length === 0} loading={replace.isPending}>
          Save matrix
        </Button>
        <Button
          variant="default"
          disabled={draft === null}
          onClick={() => {
            replace.reset();
            setDraft(null);
          }}
        >
          Discard changes
        </Button>
        <Text size="sm" role="status">
          {pending.length === 0
            ? 'No unsaved change'
            : `${pending.length} unsaved change${pending.length > 1 ? 's' : ''}`}
        </Text>
        <ConfirmButton
          label="Reset to default"
          title="Reset the priority matrix to the built-in default?"
          confirmLabel="Reset"
          onConfirm={() =>
            reset.mutateAsync().then(() => {
              replace.reset();
              setDraft(null);
            })
          }
        >
          <Text size="sm">
            This is recorded as a new version, and every open case's priority is computed again under the default.
          </Text>
          <ResetPreview saved={saved} builtIn={builtIn.data} error={builtIn.error} />
        </ConfirmButton>
        {builtIn.data && !inForce.isDefault && (
          <Button variant="default" onClick={() => builtIn.data && setDraft(structuredClone(builtIn.data))}>
            Load the default into the editor
          </Button>
        )}
      </Group>

      <Title order={2} size="h4" mt="lg">
        History
      </Title>
      <ErrorAlert error={history.error} />
      <Table striped aria-label="Priority matrix history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Changed</Table.Th>
            <Table.Th>By</Table.Th>
            <Table.Th>What changed</Table.Th>
            <Table.Th>Edit from it</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((v, i) => {
            // Newest first: the version before this one is the next row (the last row came from the default).
            const before = items[i + 1];
            const what =
              v.matrix === null
                ? ['Reset to the built-in default']
                : before?.matrix
                  ? changes(before.matrix, v.matrix)
                  : before || items.length < MATRIX_HISTORY_LIMIT
                    ? ['Changed from the built-in default']
                    : ['(the version before is not listed)'];
            return (
              <Table.Tr key={v.version}>
                <Table.Td>{v.version}</Table.Td>
                <Table.Td>{dateTime(v.updatedAt)}</Table.Td>
                <Table.Td>{v.updatedBy.label}</Table.Td>
                <Table.Td>
                  {what.length === 0
                    ? 'No cell changed'
                    : what.map((w) => (
                        <Text size="sm" key={w}>
                          {w}
                        </Text>
                      ))}
                </Table.Td>
                <Table.Td>
                  {v.matrix && (
                    <Button
                      size="compact-sm"
                      variant="default"
                      aria-label={`Load version ${v.version} into the editor`}
                      onClick={() => setDraft(structuredClone(v.matrix))}
                    >
                      Load
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {history.isSuccess && items.length === 0 && <Text c="dimmed">Never changed: the built-in default applies.</Text>}
    </Stack>
  );
}

/** What a reset would change, cell by cell, read from GET /api/v1/sla/priority-matrix/default. */
function ResetPreview({ saved, builtIn, error }: { saved: Matrix; builtIn: Matrix | undefined; error: unknown }) {
  if (error) return <ErrorAlert error={error} />;
  if (!builtIn) return null;
  const diff = changes(saved, builtIn);
  return (
    <Stack gap={2} role="region" aria-label="Cells the reset changes">
      <Text size="sm" fw={600}>
        {diff.length === 0 ? 'No cell differs from the default.' : `${diff.length} cells go back to the default:`}
      </Text>
      {diff.slice(0, 30).map((d) => (
        <Text size="sm" key={d}>
          {d}
        </Text>
      ))}
      {diff.length > 30 && <Text size="sm">…and {diff.length - 30} more</Text>}
    </Stack>
  );
}
