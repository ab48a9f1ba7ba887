import { Card, NativeSelect, Table } from '@mantine/core';
import type { Schemas } from '../api/client.ts';
import { fieldError } from './ui.tsx';

export type Matrix = Schemas['PriorityMatrixConfig'];
export type GridKey = keyof Matrix;
// The generated type spells out every cell; the screen walks the three tables by their row and column names.
type Cells = Record<string, Record<string, string>>;
type Grid = {
  key: GridKey;
  title: string;
  rows: { key: string; label: string }[];
  cols: { key: string; label: string }[];
  values: string[];
  cell: (row: string, col: string) => string;
};

const plain = (keys: string[]) => keys.map((key) => ({ key, label: key.replace(/_/g, ' ') }));
export const GRIDS: Grid[] = [
  {
    key: 'impact',
    title: 'Impact: fault severity × SIMs affected (1 = widest)',
    rows: plain(['critical', 'high', 'medium', 'low']),
    cols: [
      { key: 'single', label: 'single (1)' },
      { key: 'few', label: 'few (2–99)' },
      { key: 'many', label: 'many (100–9,999)' },
      { key: 'mass', label: 'mass (≥ 10,000)' },
    ],
    values: ['1', '2', '3', '4'],
    cell: (r, c) => `Impact (${r}, ${c})`,
  },
  {
    key: 'urgency',
    title: 'Urgency: VIP tier × case type (1 = most urgent)',
    rows: plain(['standard', 'silver', 'gold', 'platinum']),
    cols: plain(['incident', 'information_request', 'service_request', 'order']),
    values: ['1', '2', '3', '4'],
    cell: (r, c) => `Urgency (${r}, ${c.replace(/_/g, ' ')})`,
  },
  {
    key: 'priority',
    title: 'Priority: impact × urgency',
    rows: ['1', '2', '3', '4'].map((key) => ({ key, label: `impact ${key}` })),
    cols: ['1', '2', '3', '4'].map((key) => ({ key, label: `urgency ${key}` })),
    values: ['P1', 'P2', 'P3', 'P4'],
    cell: (r, c) => `Priority (impact ${r}, urgency ${c})`,
  },
];

export const cells = (m: Matrix, g: GridKey) => m[g] as Cells;

/** Every cell that differs between two matrices, named as on screen. */
export function changes(before: Matrix, after: Matrix): string[] {
  const out: string[] = [];
  for (const g of GRIDS)
    for (const r of g.rows)
      for (const c of g.cols) {
        const a = cells(before, g.key)[r.key]?.[c.key];
        const b = cells(after, g.key)[r.key]?.[c.key];
        if (a !== b) out.push(`${g.cell(r.key, c.key)}: ${a} → ${b}`);
      }
  return out;
}

/** One of the three tables, each cell a labelled choice; cells that differ from the saved matrix are outlined. */
export function MatrixGrid({
  grid,
  matrix,
  saved,
  error,
  onChange,
}: {
  grid: Grid;
  matrix: Matrix;
  saved: Matrix;
  error: unknown;
  onChange: (row: string, col: string, v: string) => void;
}) {
  return (
    <Card withBorder>
      <Table.ScrollContainer minWidth={440}>
        <Table aria-label={grid.title} captionSide="top" withColumnBorders>
          <Table.Caption>{grid.title}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Td />
              {grid.cols.map((c) => (
                <Table.Th key={c.key} scope="col">
                  {c.label}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {grid.rows.map((r) => (
              <Table.Tr key={r.key}>
                <Table.Th scope="row">{r.label}</Table.Th>
                {grid.cols.map((c) => {
                  const value = cells(matrix, grid.key)[r.key]?.[c.key] ?? '';
                  const changed = value !== cells(saved, grid.key)[r.key]?.[c.key];
                  return (
                    <Table.Td key={c.key}>
                      <NativeSelect
                        aria-label={grid.cell(r.key, c.key)}
                        size="xs"
                        miw={64}
                        data={grid.values}
                        value={value}
                        onChange={(e) => onChange(r.key, c.key, e.currentTarget.value)}
                        error={fieldError(error, `${grid.key}.${r.key}.${c.key}`)}
                        styles={
                          changed ? { input: { borderColor: 'var(--mantine-color-orange-8)', borderWidth: 2 } } : {}
                        }
                      />
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
