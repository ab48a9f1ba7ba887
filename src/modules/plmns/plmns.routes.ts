import type { App } from '../../platform/http/app.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentPlmn, presentPlmnDetail } from './plmns.presenter.ts';
import { ListPlmnsQuery, PlmnDetailView, PlmnPage, PlmnParams } from './plmns.schemas.ts';
import type { PlmnsService } from './plmns.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['plmns'];

export function plmnsRoutes(plmns: PlmnsService) {
  return (app: App) => {
    app.get(
      '/api/v1/plmns',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listPlmns',
          summary: 'Search PLMNs',
          description: 'The PLMN reference: MCC+MNC → operator and country.',
          querystring: ListPlmnsQuery,
          response: { 200: PlmnPage, ...errors },
        },
      },
      async (req) => {
        const page = plmns.list(req.query);
        return { items: page.items.map(presentPlmn), nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/api/v1/plmns/:plmn',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getPlmn',
          summary: 'Get a PLMN by MCC+MNC',
          params: PlmnParams,
          response: { 200: PlmnDetailView, ...errors },
        },
      },
      async (req) => presentPlmnDetail(plmns.get(req.params.plmn)),
    );
  };
}
