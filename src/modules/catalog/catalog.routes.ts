import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentCommunicationPlan, presentRatePlan, presentRoamingZone } from './catalog.presenter.ts';
import {
  CommunicationPlanPage,
  CommunicationPlanView,
  CreateCommunicationPlanBody,
  CreateRatePlanBody,
  ImportPlansBody,
  ImportPlansQuery,
  ImportPlansResult,
  ListPlansQuery,
  PlanIdParams,
  RatePlanPage,
  RatePlanView,
  RoamingZoneView,
  UpdateCommunicationPlanBody,
  UpdateRatePlanBody,
} from './catalog.schemas.ts';
import type { CatalogService } from './catalog.service.ts';
import type { PlanImport } from './plan-import.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['catalog'];

export function catalogRoutes(catalog: CatalogService, planImport: PlanImport) {
  return (app: App) => {
    app.post(
      '/api/v1/plans/import',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'importPlans',
          summary: 'Create or update communication and rate plans in bulk',
          description:
            'Staff only. Each plan has the shape of its single create. All or nothing: a refusal names every bad ' +
            'plan by its place in the body (ratePlans[3].overage.throttleKbps) and writes none. With mode=upsert a ' +
            'plan of the same name and owner is changed to what the body says; with dryRun=true nothing is written.',
          querystring: ImportPlansQuery,
          body: ImportPlansBody,
          response: { 200: ImportPlansResult, 409: ErrorBody, ...errors },
        },
      },
      async (req) => planImport.importPlans(principalOf(req), req.body, req.query),
    );
    app.post(
      '/api/v1/communication-plans',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createCommunicationPlan',
          summary: 'Create a communication plan',
          description: 'Staff only. Without accountId the plan is shared by every account.',
          body: CreateCommunicationPlanBody,
          response: { 201: CommunicationPlanView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(presentCommunicationPlan(await catalog.createCommunicationPlan(principalOf(req), req.body))),
    );
    app.get(
      '/api/v1/communication-plans',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listCommunicationPlans',
          summary: 'List communication plans',
          description: 'Customers see the shared plans and those of their own accounts or the accounts above them.',
          querystring: ListPlansQuery,
          response: { 200: CommunicationPlanPage, ...errors },
        },
      },
      async (req) => {
        const page = await catalog.listCommunicationPlans(principalOf(req), req.query);
        return { items: page.items.map(presentCommunicationPlan), nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/api/v1/communication-plans/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getCommunicationPlan',
          summary: 'Get a communication plan',
          params: PlanIdParams,
          response: { 200: CommunicationPlanView, ...errors },
        },
      },
      async (req) => presentCommunicationPlan(await catalog.getCommunicationPlan(principalOf(req), req.params.id)),
    );
    app.patch(
      '/api/v1/communication-plans/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateCommunicationPlan',
          summary: 'Update a communication plan',
          description: 'Staff only. The owning account cannot change.',
          params: PlanIdParams,
          body: UpdateCommunicationPlanBody,
          response: { 200: CommunicationPlanView, 409: ErrorBody, ...errors },
        },
      },
      async (req) =>
        presentCommunicationPlan(await catalog.updateCommunicationPlan(principalOf(req), req.params.id, req.body)),
    );
    app.delete(
      '/api/v1/communication-plans/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'deleteCommunicationPlan',
          summary: 'Delete a communication plan',
          description:
            'Staff only. Refused with 409 (naming how many SIMs) while any SIM holds the plan: move them first. ' +
            'Deleted, not retired: nothing keeps a key to it once no SIM does.',
          params: PlanIdParams,
          response: { 204: z.null(), 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => {
        await catalog.deleteCommunicationPlan(principalOf(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/v1/rate-plans',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createRatePlan',
          summary: 'Create a rate plan',
          description: 'Staff only. Without accountId the plan is shared by every account.',
          body: CreateRatePlanBody,
          response: { 201: RatePlanView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(presentRatePlan(await catalog.createRatePlan(principalOf(req), req.body))),
    );
    app.get(
      '/api/v1/rate-plans',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listRatePlans',
          summary: 'List rate plans',
          description: 'Customers see the shared plans and those of their own accounts or the accounts above them.',
          querystring: ListPlansQuery,
          response: { 200: RatePlanPage, ...errors },
        },
      },
      async (req) => {
        const page = await catalog.listRatePlans(principalOf(req), req.query);
        return { items: page.items.map(presentRatePlan), nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/api/v1/rate-plans/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getRatePlan',
          summary: 'Get a rate plan',
          params: PlanIdParams,
          response: { 200: RatePlanView, ...errors },
        },
      },
      async (req) => presentRatePlan(await catalog.getRatePlan(principalOf(req), req.params.id)),
    );
    app.patch(
      '/api/v1/rate-plans/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateRatePlan',
          summary: 'Update a rate plan',
          description: 'Staff only. The owning account cannot change.',
          params: PlanIdParams,
          body: UpdateRatePlanBody,
          response: { 200: RatePlanView, 409: ErrorBody, ...errors },
        },
      },
      async (req) => presentRatePlan(await catalog.updateRatePlan(principalOf(req), req.params.id, req.body)),
    );
    app.delete(
      '/api/v1/rate-plans/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'deleteRatePlan',
          summary: 'Delete a rate plan',
          description:
            'Staff only. Refused with 409 (naming how many SIMs) while any SIM holds the plan: move them first. ' +
            'Deleted, not retired: nothing keeps a key to it once no SIM does.',
          params: PlanIdParams,
          response: { 204: z.null(), 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => {
        await catalog.deleteRatePlan(principalOf(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/v1/roaming-zones',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listRoamingZones',
          summary: 'List roaming zones',
          description: 'The built-in roaming zones and their countries.',
          response: { 200: z.object({ items: z.array(RoamingZoneView) }), 401: ErrorBody, 403: ErrorBody },
        },
      },
      async () => ({ items: catalog.roamingZones().map(presentRoamingZone) }),
    );
  };
}
