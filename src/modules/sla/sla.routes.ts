import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { CaseNumberParams } from '../cases/cases.schemas.ts';
import { presentCalendar, presentCaseSla, presentPolicy } from './sla.presenter.ts';
import {
  CalendarList,
  CalendarView,
  CaseSlaView,
  CreateCalendarBody,
  CreatePolicyBody,
  IdParams,
  PolicyList,
  PolicyView,
  UpdateCalendarBody,
  UpdatePolicyBody,
} from './sla.schemas.ts';
import type { SlaService } from './sla.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['sla'];

/** Calendars and policies are provider configuration: staff read them, admins write them (customers get 403). */
export function slaRoutes(sla: SlaService) {
  return (app: App) => {
    app.get(
      '/api/v1/sla/calendars',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listSlaCalendars',
          summary: 'List SLA calendars',
          description: 'Staff only.',
          response: { 200: CalendarList, ...errors },
        },
      },
      async (req) => ({ items: (await sla.listCalendars(principalOf(req))).map(presentCalendar) }),
    );
    app.get(
      '/api/v1/sla/calendars/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getSlaCalendar',
          summary: 'Get an SLA calendar',
          description: 'Staff only.',
          params: IdParams,
          response: { 200: CalendarView, ...errors },
        },
      },
      async (req) => presentCalendar(await sla.getCalendar(principalOf(req), req.params.id)),
    );
    app.post(
      '/api/v1/sla/calendars',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'createSlaCalendar',
          summary: 'Create an SLA calendar',
          description: 'Admin only. A 400 names overlapping hours, an unknown time zone or holiday country.',
          body: CreateCalendarBody,
          response: { 201: CalendarView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(presentCalendar(await sla.createCalendar(principalOf(req), req.body))),
    );
    app.patch(
      '/api/v1/sla/calendars/:id',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'updateSlaCalendar',
          summary: 'Update an SLA calendar',
          description: 'Admin only. The merged definition is validated again.',
          params: IdParams,
          body: UpdateCalendarBody,
          response: { 200: CalendarView, 409: ErrorBody, ...errors },
        },
      },
      async (req) => presentCalendar(await sla.updateCalendar(principalOf(req), req.params.id, req.body)),
    );
    app.delete(
      '/api/v1/sla/calendars/:id',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'deleteSlaCalendar',
          summary: 'Delete an SLA calendar',
          description:
            'Admin only. Refused with 409 naming the policies that use the calendar, and for a built-in calendar ' +
            '(the seed restores it at every start; change it instead).',
          params: IdParams,
          response: { 204: z.null(), 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => {
        await sla.deleteCalendar(principalOf(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/api/v1/sla/policies',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listSlaPolicies',
          summary: 'List SLA policies',
          description: 'Staff only.',
          response: { 200: PolicyList, ...errors },
        },
      },
      async (req) => ({ items: (await sla.listPolicies(principalOf(req))).map(presentPolicy) }),
    );
    app.get(
      '/api/v1/sla/policies/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getSlaPolicy',
          summary: 'Get an SLA policy',
          description: 'Staff only.',
          params: IdParams,
          response: { 200: PolicyView, ...errors },
        },
      },
      async (req) => presentPolicy(await sla.getPolicy(principalOf(req), req.params.id)),
    );
    app.post(
      '/api/v1/sla/policies',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'createSlaPolicy',
          summary: 'Create an SLA policy',
          description: 'Admin only. A 400 names an unknown calendar or account, or bad targets.',
          body: CreatePolicyBody,
          response: { 201: PolicyView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(presentPolicy(await sla.createPolicy(principalOf(req), req.body))),
    );
    app.patch(
      '/api/v1/sla/policies/:id',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'updateSlaPolicy',
          summary: 'Update an SLA policy',
          description: 'Admin only. A given match replaces the old one; targets merge.',
          params: IdParams,
          body: UpdatePolicyBody,
          response: { 200: PolicyView, 409: ErrorBody, ...errors },
        },
      },
      async (req) => presentPolicy(await sla.updatePolicy(principalOf(req), req.params.id, req.body)),
    );
    app.delete(
      '/api/v1/sla/policies/:id',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'deleteSlaPolicy',
          summary: 'Delete an SLA policy',
          description:
            'Admin only. No case keeps a key to a policy: the cases it matched fall to the next most specific policy ' +
            'at their next evaluation. Refused with 409 for a built-in policy (change it instead).',
          params: IdParams,
          response: { 204: z.null(), 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => {
        await sla.deletePolicy(principalOf(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/api/v1/cases/:number/sla',
      {
        config: { auth: 'read' },
        schema: {
          tags: ['sla', 'cases'],
          operationId: 'getCaseSla',
          summary: "Get a case's SLA clocks",
          description: 'First response, periodic update and resolution. Customers: their own cases.',
          params: CaseNumberParams,
          response: { 200: CaseSlaView, ...errors },
        },
      },
      async (req) => presentCaseSla(await sla.caseSla(principalOf(req), req.params.number)),
    );
  };
}
