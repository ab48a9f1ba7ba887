import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { PriorityMatrixConfig } from './priority.ts';
import { presentPriorityMatrix, presentPriorityMatrixHistory } from './priority-matrix.presenter.ts';
import {
  HistoryQuery,
  PriorityMatrixChangeView,
  PriorityMatrixHistory,
  PriorityMatrixView,
  PutPriorityMatrixBody,
} from './priority-matrix.schemas.ts';
import type { PriorityMatrixService } from './priority-matrix.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const tags = ['sla'];
const URL = '/api/v1/sla/priority-matrix';

/** The priority matrix is provider configuration: staff read it, admins change it (customers get 403). */
export function priorityMatrixRoutes(matrices: PriorityMatrixService) {
  return (app: App) => {
    app.get(
      URL,
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getPriorityMatrix',
          summary: 'Get the priority matrix',
          description: 'The matrix in force, with who changed it last and when. Staff only.',
          response: { 200: PriorityMatrixView, ...errors },
        },
      },
      async (req) => presentPriorityMatrix(await matrices.get(principalOf(req))),
    );
    app.get(
      `${URL}/default`,
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getDefaultPriorityMatrix',
          summary: 'Get the default priority matrix',
          description:
            'The built-in matrix that `DELETE /api/v1/sla/priority-matrix` (reset) puts back, to preview a reset. ' +
            'Staff only.',
          response: { 200: PriorityMatrixConfig, ...errors },
        },
      },
      async (req) => matrices.defaultMatrix(principalOf(req)),
    );
    app.put(
      URL,
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'replacePriorityMatrix',
          summary: 'Replace the priority matrix',
          description:
            'Admin only. A 400 names each bad cell. Open cases are recomputed, each change noted on its timeline.',
          body: PutPriorityMatrixBody,
          response: { 200: PriorityMatrixChangeView, ...errors },
        },
      },
      async (req) => {
        const r = await matrices.put(principalOf(req), req.body);
        return { ...presentPriorityMatrix(r), recomputed: r.recomputed };
      },
    );
    app.delete(
      URL,
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'resetPriorityMatrix',
          summary: 'Reset the priority matrix',
          description: 'Admin only. Back to the built-in default, as a recorded version; open cases are recomputed.',
          response: { 200: PriorityMatrixChangeView, ...errors },
        },
      },
      async (req) => {
        const r = await matrices.reset(principalOf(req));
        return { ...presentPriorityMatrix(r), recomputed: r.recomputed };
      },
    );
    app.get(
      `${URL}/history`,
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listPriorityMatrixVersions',
          summary: 'List priority matrix versions',
          description: 'Newest first: who changed it, when, and to what. Staff only.',
          querystring: HistoryQuery,
          response: { 200: PriorityMatrixHistory, ...errors },
        },
      },
      async (req) => presentPriorityMatrixHistory(await matrices.history(principalOf(req), req.query.limit)),
    );
  };
}
