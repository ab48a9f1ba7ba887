import type { z } from 'zod';
import type { PriorityMatrixConfig } from './priority.ts';
import type { PriorityMatrixHistory, PriorityMatrixView } from './priority-matrix.schemas.ts';
import type { PriorityMatrixVersionRow } from './priority-matrix.store.ts';

const by = (r: PriorityMatrixVersionRow) => ({ userId: r.updatedByUserId, label: r.updatedByLabel });

export function presentPriorityMatrix(s: {
  row: PriorityMatrixVersionRow | undefined;
  matrix: PriorityMatrixConfig;
}): z.infer<typeof PriorityMatrixView> {
  return {
    matrix: s.matrix,
    isDefault: !s.row || s.row.matrix === null,
    version: s.row?.id ?? null,
    updatedAt: s.row?.updatedAt.toISOString() ?? null,
    updatedBy: s.row ? by(s.row) : null,
  };
}

export function presentPriorityMatrixHistory(rows: PriorityMatrixVersionRow[]): z.infer<typeof PriorityMatrixHistory> {
  return {
    items: rows.map((r) => ({
      version: r.id,
      // Stored matrices were validated by parsePriorityMatrix on write.
      matrix: r.matrix as PriorityMatrixConfig | null,
      updatedAt: r.updatedAt.toISOString(),
      updatedBy: by(r),
    })),
  };
}
