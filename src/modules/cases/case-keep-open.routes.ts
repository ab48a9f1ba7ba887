import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { audienceOf, presentCase } from './cases.presenter.ts';
import { CaseNumberParams, CaseView, KeepOpenBody } from './cases.schemas.ts';
import type { CasesService } from './cases.service.ts';

export function keepOpenRoutes(cases: Pick<CasesService, 'keepOpen'>) {
  return (app: App) => {
    app.post(
      '/api/v1/cases/:number/keep-open',
      {
        config: { auth: 'write' },
        schema: {
          tags: ['cases'],
          operationId: 'keepCaseOpen',
          summary: 'Keep a resolved case open longer',
          description:
            'The customer (or staff for them) asks to wait a few more working days before the resolved case closes ' +
            'itself at the end of its verification period: at most 10 more per resolution. 409 unless the case is ' +
            'resolved.',
          params: CaseNumberParams,
          body: KeepOpenBody,
          response: { 200: CaseView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) =>
        presentCase(await cases.keepOpen(principalOf(req), req.params.number, req.body), audienceOf(principalOf(req))),
    );
  };
}
