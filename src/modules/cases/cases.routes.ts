import type { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentSim } from '../sims/sims.presenter.ts';
import { CaseEventList } from './attachments.schemas.ts';
import type { AttachmentsService } from './attachments.service.ts';
import { presentCaseDetail, presentTimelineEntry } from './case-parties.presenter.ts';
import { CaseDetailView } from './case-parties.schemas.ts';
import type { CaseParties } from './case-parties.ts';
import { audienceOf, presentCase, presentLanded } from './cases.presenter.ts';
import { type CaseReports, reportCsv } from './cases.reports.ts';
import {
  AffectedSimsPage,
  AffectedSimsQuery,
  CaseList,
  CaseNumberParams,
  CasePage,
  CaseView,
  ContactsReportQuery,
  ContactsReportView,
  CreateCaseBody,
  CreateChildrenBody,
  CreateEventBody,
  HandlingTimeReportView,
  ListCasesQuery,
  OverridePriorityBody,
  PostedCaseEventView,
  ReportCsv,
  ReportQuery,
  SlaMetReportView,
  TransitionBody,
  UpdateCaseBody,
  VolumeReportView,
} from './cases.schemas.ts';
import type { CasesService } from './cases.service.ts';

/**
 * A CasePage that is already JSON text (built by the database: casesRepo.listJson). Fastify sends a string with a
 * JSON content type as it is, skipping the response serializer; the type provider only knows the object shape.
 */
const preSerialized = (json: string) => json as unknown as z.infer<typeof CasePage>;

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['cases'];

/** `parties` and `attachments` answer the case view, the create and the timeline with what hangs on a case. */
export function casesRoutes(
  cases: CasesService,
  more: { parties: Pick<CaseParties, 'create' | 'detail'>; attachments: Pick<AttachmentsService, 'timeline'> },
) {
  return (app: App) => {
    app.post(
      '/api/v1/cases',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createCase',
          summary: 'Open a case',
          description: 'Customers open cases in their own subtree, on the portal channel.',
          body: CreateCaseBody,
          response: { 201: CaseDetailView, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(presentCaseDetail(await more.parties.create(principalOf(req), req.body), audienceOf(principalOf(req)))),
    );
    app.get(
      '/api/v1/cases',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listCases',
          summary: 'List cases (the queue)',
          description:
            'Case summaries in queue order: by priority, then SLA due time (none last), then oldest first; with ' +
            'filters and keyset pagination.',
          querystring: ListCasesQuery,
          response: { 200: CasePage, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .type('application/json; charset=utf-8')
          .send(preSerialized(await cases.listJson(principalOf(req), req.query))),
    );
    app.get(
      '/api/v1/cases/:number',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getCase',
          summary: 'Get a case',
          description: 'With its contacts and, for staff, its provider references.',
          params: CaseNumberParams,
          response: { 200: CaseDetailView, ...errors },
        },
      },
      async (req) =>
        presentCaseDetail(await more.parties.detail(principalOf(req), req.params.number), audienceOf(principalOf(req))),
    );
    app.patch(
      '/api/v1/cases/:number',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateCase',
          summary: 'Update a case',
          description:
            'Staff only. Type, severity or affected SIMs (the computed priority follows); the assignee (an admin or ' +
            'agent from GET /api/v1/agents, null to unassign) and the queue (null: none). Each change is an internal ' +
            'timeline entry saying from → to.',
          params: CaseNumberParams,
          body: UpdateCaseBody,
          response: { 200: CaseView, ...errors },
        },
      },
      async (req) =>
        presentCase(await cases.update(principalOf(req), req.params.number, req.body), audienceOf(principalOf(req))),
    );
    app.post(
      '/api/v1/cases/:number/priority',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'overrideCasePriority',
          summary: "Override a case's priority",
          description: 'Staff only, with a reason. The override survives recomputation until removed.',
          params: CaseNumberParams,
          body: OverridePriorityBody,
          response: { 200: CaseView, ...errors },
        },
      },
      async (req) =>
        presentCase(
          await cases.overridePriority(principalOf(req), req.params.number, req.body),
          audienceOf(principalOf(req)),
        ),
    );
    app.delete(
      '/api/v1/cases/:number/priority',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'removeCasePriorityOverride',
          summary: "Remove a case's priority override",
          description: 'Back to the computed priority. Staff only; a no-op without an override.',
          params: CaseNumberParams,
          response: { 200: CaseView, ...errors },
        },
      },
      async (req) =>
        presentCase(
          await cases.clearPriorityOverride(principalOf(req), req.params.number),
          audienceOf(principalOf(req)),
        ),
    );
    app.post(
      '/api/v1/cases/:number/transitions',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'transitionCase',
          summary: 'Move a case to another state',
          description: 'A refused transition answers 409 naming the allowed ones.',
          params: CaseNumberParams,
          body: TransitionBody,
          response: { 200: CaseView, 409: ErrorBody, ...errors },
        },
      },
      async (req) =>
        presentCase(
          await cases.transition(principalOf(req), req.params.number, req.body),
          audienceOf(principalOf(req)),
        ),
    );
    app.get(
      '/api/v1/cases/:number/events',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listCaseEvents',
          summary: "List a case's timeline",
          description: "Oldest first, with each entry's attachments. Customers see public entries only.",
          params: CaseNumberParams,
          response: { 200: CaseEventList, ...errors },
        },
      },
      async (req) => ({
        items: (await more.attachments.timeline(principalOf(req), req.params.number)).map((e) =>
          presentTimelineEntry(e, audienceOf(principalOf(req))),
        ),
      }),
    );
    app.get(
      '/api/v1/cases/:number/sims',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listCaseSims',
          summary: "List a case's affected SIMs",
          description:
            "By ICCID: the case's list, or what its saved filter selects now. Customers see their own SIMs only.",
          params: CaseNumberParams,
          querystring: AffectedSimsQuery,
          response: { 200: AffectedSimsPage, ...errors },
        },
      },
      async (req) => {
        const page = await cases.affectedSims(principalOf(req), req.params.number, req.query);
        return { ...page, items: page.items.map(presentSim) };
      },
    );
    app.post(
      '/api/v1/cases/:number/events',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'addCaseEvent',
          summary: 'Add a timeline entry to a case',
          description:
            'A note, phone call or portal message (customers: public portal messages only). A customer reply ' +
            'reopens a resolved case within the reopen window; after it, or on a closed case, it opens a linked ' +
            'follow-up case; caseNumber and outcome say where it landed.',
          params: CaseNumberParams,
          body: CreateEventBody,
          response: { 201: PostedCaseEventView, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(
            presentLanded(
              await cases.postEvent(principalOf(req), req.params.number, req.body),
              audienceOf(principalOf(req)),
            ),
          ),
    );
    app.post(
      '/api/v1/cases/:number/children',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createCaseChildren',
          summary: 'Make a case a major case',
          description:
            'Staff only: opens one child case per affected account. Public updates, state and resolution then ' +
            'flow to the open children; customers see only their own child.',
          params: CaseNumberParams,
          body: CreateChildrenBody,
          response: { 201: CaseList, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => {
        const items = await cases.createChildren(principalOf(req), req.params.number, req.body.accountIds);
        return reply.code(201).send({ items: items.map((c) => presentCase(c, audienceOf(principalOf(req)))) });
      },
    );
    app.get(
      '/api/v1/cases/:number/children',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listCaseChildren',
          summary: "List a major case's child cases",
          description: 'Staff only.',
          params: CaseNumberParams,
          response: { 200: CaseList, ...errors },
        },
      },
      async (req) => ({
        items: (await cases.children(principalOf(req), req.params.number)).map((c) =>
          presentCase(c, audienceOf(principalOf(req))),
        ),
      }),
    );
  };
}

const RANGE_NOTE =
  'Staff only. from/to are UTC dates (to exclusive, at most 400 days); periods are UTC, weeks start on Monday; ' +
  'accountId narrows to that account and its subtree; format=csv answers CSV with a header row.';
const csvOptions = () => ({ auth: 'read' as const, openapi: { produces: ['application/json', 'text/csv'] } });

/** Case reports: JSON, or with format=csv the same items as CSV. */
export function caseReportsRoutes(reports: CaseReports) {
  return (app: App) => {
    app.get(
      '/api/v1/reports/cases/volume',
      {
        config: csvOptions(),
        schema: {
          tags: ['reports'],
          operationId: 'getCaseVolumeReport',
          summary: 'Report case volume',
          description: `Cases created and closed (not cancelled) per period, type and channel. ${RANGE_NOTE}`,
          querystring: ReportQuery,
          response: { 200: VolumeReportView.or(ReportCsv), ...errors },
        },
      },
      async (req, reply) => {
        const r = await reports.volume(principalOf(req), req.query);
        if (req.query.format === 'json') return r;
        const csv = reportCsv(['period', 'type', 'channel', 'created', 'closed'], r.items);
        return reply.type('text/csv; charset=utf-8').send(csv);
      },
    );
    app.get(
      '/api/v1/reports/cases/handling-time',
      {
        config: csvOptions(),
        schema: {
          tags: ['reports'],
          operationId: 'getCaseHandlingTimeReport',
          summary: 'Report case handling time',
          description:
            'Per type, cases resolved (or closed unresolved) in the window: count, mean and median handling time ' +
            `in calendar days and in working days on each case's SLA calendar. ${RANGE_NOTE}`,
          querystring: ReportQuery,
          response: { 200: HandlingTimeReportView.or(ReportCsv), ...errors },
        },
      },
      async (req, reply) => {
        const r = await reports.handlingTime(principalOf(req), req.query);
        if (req.query.format === 'json') return r;
        const columns = [
          'type',
          'count',
          'meanCalendarDays',
          'medianCalendarDays',
          'meanWorkingDays',
          'medianWorkingDays',
          'withoutCalendar',
        ];
        return reply.type('text/csv; charset=utf-8').send(reportCsv(columns, r.items));
      },
    );
    app.get(
      '/api/v1/reports/cases/sla',
      {
        config: csvOptions(),
        schema: {
          tags: ['reports'],
          operationId: 'getCaseSlaReport',
          summary: 'Report SLA met %',
          description:
            'SLA met % per policy and metric, over the cases resolved (or closed unresolved) in the window, ' +
            `each evaluated from its timeline against its matched policy. ${RANGE_NOTE}`,
          querystring: ReportQuery,
          response: { 200: SlaMetReportView.or(ReportCsv), ...errors },
        },
      },
      async (req, reply) => {
        const r = await reports.slaMet(principalOf(req), req.query);
        if (req.query.format === 'json') return r;
        const columns = ['policyId', 'policy', 'metric', 'met', 'breached', 'metPercent'];
        return reply.type('text/csv; charset=utf-8').send(reportCsv(columns, r.items));
      },
    );
    app.get(
      '/api/v1/reports/contacts',
      {
        config: csvOptions(),
        schema: {
          tags: ['reports'],
          operationId: 'getContactsReport',
          summary: 'Report customer contacts',
          description: `Customer contacts per period and kind — e-mail in (from the customer) and out (replies the desk mailed), phone calls, customers’ portal messages — optionally split by account and queue (\`by\`). ${RANGE_NOTE}`,
          querystring: ContactsReportQuery,
          response: { 200: ContactsReportView.or(ReportCsv), ...errors },
        },
      },
      async (req, reply) => {
        const r = await reports.contacts(principalOf(req), req.query);
        if (req.query.format === 'json') return r;
        const columns = [
          'period',
          'kind',
          ...(req.query.by ?? []).map((b) => (b === 'account' ? 'accountId' : b)),
          'contacts',
        ];
        return reply.type('text/csv; charset=utf-8').send(reportCsv(columns, r.items));
      },
    );
  };
}
