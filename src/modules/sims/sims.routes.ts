import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentHistoryEntry, presentSim } from './sims.presenter.ts';
import {
  BulkChangeBody,
  BulkResultView,
  ChangeStateBody,
  CountSimsQuery,
  CreateSimBody,
  HistoryPage,
  HistoryQuery,
  IccidParams,
  LifecycleView,
  ListSimsQuery,
  SimCountView,
  SimPage,
  SimView,
  UpdateSimBody,
} from './sims.schemas.ts';
import type { SimsService } from './sims.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['sims'];
/** 100,000 ICCIDs as JSON are ~2.5 MB: more than the default body limit. */
const BULK_BODY_LIMIT = 8 * 1024 * 1024;

export function simsRoutes(sims: SimsService) {
  return (app: App) => {
    app.get(
      '/api/v1/sims/lifecycle',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getSimLifecycle',
          summary: 'Get the SIM lifecycle',
          description: 'The lifecycle states and which transitions exist, by whom (operator or customer).',
          response: { 200: LifecycleView, ...errors },
        },
      },
      async () => sims.lifecycle(),
    );
    app.post(
      '/api/v1/sims',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createSim',
          summary: 'Create a SIM',
          description: 'Provider staff only.',
          body: CreateSimBody,
          response: { 201: SimView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(presentSim(await sims.create(principalOf(req), req.body))),
    );
    app.get(
      '/api/v1/sims',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listSims',
          summary: 'List SIMs',
          description: 'With filters and keyset pagination.',
          querystring: ListSimsQuery,
          response: { 200: SimPage, ...errors },
        },
      },
      async (req) => {
        const page = await sims.list(principalOf(req), req.query);
        return { items: page.items.map(presentSim), nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/api/v1/sims/count',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'countSims',
          summary: 'Count SIMs',
          description:
            'How many SIMs the list filter selects (the same fields as GET /api/v1/sims). A count over every SIM in reach: up to ~1 s at 1M SIMs.',
          querystring: CountSimsQuery,
          response: { 200: SimCountView, ...errors },
        },
      },
      async (req) => ({ count: await sims.countMatching(principalOf(req), req.query) }),
    );
    app.post(
      '/api/v1/sims/bulk',
      {
        config: { auth: 'write' },
        bodyLimit: BULK_BODY_LIMIT,
        schema: {
          tags,
          operationId: 'bulkChangeSims',
          summary: 'Change many SIMs at once',
          description:
            'Changes the state or plans of many SIMs, all or nothing; with dryRun it only reports what would change.',
          body: BulkChangeBody,
          response: { 200: BulkResultView, 409: ErrorBody, ...errors },
        },
      },
      async (req) => sims.bulk(principalOf(req), req.body),
    );
    app.get(
      '/api/v1/sims/:iccid',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getSim',
          summary: 'Get a SIM',
          description: 'By ICCID (19 or 20 digits).',
          params: IccidParams,
          response: { 200: SimView, ...errors },
        },
      },
      async (req) => presentSim(await sims.get(principalOf(req), req.params.iccid)),
    );
    app.patch(
      '/api/v1/sims/:iccid',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateSim',
          summary: 'Update a SIM',
          description: 'Labels, custom fields and plans (customers too) or identifiers (staff).',
          params: IccidParams,
          body: UpdateSimBody,
          response: { 200: SimView, 409: ErrorBody, ...errors },
        },
      },
      async (req) => presentSim(await sims.update(principalOf(req), req.params.iccid, req.body)),
    );
    app.post(
      '/api/v1/sims/:iccid/state',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'changeSimState',
          summary: "Change a SIM's lifecycle state",
          description: 'The transitions allowed, and to whom, are in GET /api/v1/sims/lifecycle.',
          params: IccidParams,
          body: ChangeStateBody,
          response: { 200: SimView, 409: ErrorBody, ...errors },
        },
      },
      async (req) => presentSim(await sims.changeState(principalOf(req), req.params.iccid, req.body)),
    );
    app.get(
      '/api/v1/sims/:iccid/history',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listSimHistory',
          summary: "List a SIM's audit history",
          description: 'Newest first.',
          params: IccidParams,
          querystring: HistoryQuery,
          response: { 200: HistoryPage, ...errors },
        },
      },
      async (req) => {
        const page = await sims.history(principalOf(req), req.params.iccid, req.query);
        return { items: page.items.map(presentHistoryEntry), nextCursor: page.nextCursor };
      },
    );
  };
}
