import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { audienceOf, presentCaseEvent } from '../cases/cases.presenter.ts';
import { CaseEventView, CaseNumberParams } from '../cases/cases.schemas.ts';
import { IccidParams } from '../sims/sims.schemas.ts';
import type { CaseDiagnosis } from './case-diagnosis.ts';
import { presentDiagnosis, presentFailingNow, presentJob } from './diagnosis.presenter.ts';
import {
  CaseDiagnosisBody,
  CreateDiagnosesBody,
  DiagnoseBody,
  DiagnosesCreatedView,
  DiagnosesJobParams,
  DiagnosesJobQuery,
  DiagnosesJobView,
  DiagnosisView,
  FailingNowView,
} from './diagnosis.schemas.ts';
import type { DiagnosisService } from './diagnosis.service.ts';
import type { DiagnosisBatch } from './diagnosis-batch.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['diagnosis'];

export function diagnosisRoutes(diagnosis: DiagnosisService, batch: DiagnosisBatch, cases: CaseDiagnosis) {
  return (app: App) => {
    app.post(
      '/api/v1/cases/:number/diagnosis',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'diagnoseCase',
          summary: "Re-run the diagnosis of a case's affected SIMs",
          description:
            'The result lands in the timeline (internal entry). Staff only. Runs by itself when a case gets affected SIMs (any channel). Up to 100 SIMs: each SIM’s root cause; ' +
            'above: root causes counted over the first 500 SIMs by ICCID. A known fleet-wide failure is named and linked.',
          params: CaseNumberParams,
          body: CaseDiagnosisBody.nullish().describe('Optional: no body = the last 24 h'),
          response: { 200: CaseEventView, 409: ErrorBody, ...errors },
        },
      },
      async (req) =>
        presentCaseEvent(
          await cases.rerun(principalOf(req), req.params.number, req.body ?? {}),
          audienceOf(principalOf(req)),
        ),
    );
    app.post(
      '/api/v1/sims/:iccid/diagnosis',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'diagnoseSim',
          summary: 'Diagnose a SIM now',
          description:
            'Layered checks with verdict, evidence and fix, and the root cause for the agent and the customer. ' +
            "Synchronous. The window is the trace's (from/to, default the last 24 h, at most NETWORK_EVENT_RETENTION_DAYS). " +
            'A SIM with no network events answers root cause no_events_yet (verdict unknown), not an error.',
          params: IccidParams,
          body: DiagnoseBody.nullish().describe('Optional: no body = the last 24 h'),
          response: { 200: DiagnosisView, ...errors },
        },
      },
      async (req) => presentDiagnosis(await diagnosis.diagnoseSim(principalOf(req), req.params.iccid, req.body ?? {})),
    );
    app.get(
      '/api/v1/network/failing',
      {
        config: { auth: 'read' },
        schema: {
          tags: ['network', ...tags],
          operationId: 'getFailingNetworks',
          summary: 'List networks failing now',
          description:
            'PLMNs and APNs refusing many SIMs now, and since when ("is it us or you?"). From the fleet snapshot the diagnoses use (recomputed at most once a minute). Customers see only the ' +
            'networks and APNs their SIMs used in the last hour, without figures.',
          response: { 200: FailingNowView, ...errors },
        },
      },
      async (req) => presentFailingNow(await diagnosis.failing(principalOf(req))),
    );
    app.post(
      '/api/v1/diagnoses',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createDiagnosisJob',
          summary: 'Diagnose many SIMs as a job',
          description: 'A list of up to 100,000 ICCIDs, or a SIM filter; the worker runs it.',
          body: CreateDiagnosesBody,
          response: { 202: DiagnosesCreatedView, ...errors },
        },
      },
      async (req, reply) => {
        const job = await batch.create(principalOf(req), req.body);
        return reply.code(202).send({ id: job.id, status: job.status, total: job.total });
      },
    );
    app.get(
      '/api/v1/diagnoses/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getDiagnosisJob',
          summary: 'Get a diagnosis job',
          description: 'Status, progress, SIMs per root cause, and the per-SIM results (paged).',
          params: DiagnosesJobParams,
          querystring: DiagnosesJobQuery,
          response: { 200: DiagnosesJobView, ...errors },
        },
      },
      async (req) => presentJob(await batch.get(principalOf(req), req.params.id, req.query)),
    );
  };
}
