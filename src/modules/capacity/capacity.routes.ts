import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentDays, presentLink } from './capacity.presenter.ts';
import { CapacityLinkDetail, CapacityLinkPage, LinkIdParams, LinkQuery, ListLinksQuery } from './capacity.schemas.ts';
import type { CapacityService } from './capacity.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const tags = ['capacity'];

export function capacityRoutes(capacity: CapacityService) {
  return (app: App) => {
    app.get(
      '/api/v1/capacity/links',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listCapacityLinks',
          summary: 'List link capacity forecasts',
          description:
            'Staff only (a customer gets 403). Each device measuring link_utilization_pct with its p95 forecast as of ' +
            'the hourly capacity run: the soonest to saturate first by default, links without a forecast last; ' +
            'withinLeadTime marks those an upgrade proposal (an order case) was opened for.',
          querystring: ListLinksQuery,
          response: { 200: CapacityLinkPage, ...errors },
        },
      },
      async (req) => {
        const page = await capacity.list(principalOf(req), req.query);
        return { items: page.items.map(presentLink), nextCursor: page.nextCursor, leadTimeDays: capacity.leadTimeDays };
      },
    );
    app.get(
      '/api/v1/capacity/links/:deviceId',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getCapacityLink',
          summary: "Get a link's capacity forecast",
          description:
            'Staff only. The forecast with the daily p95 measured (history) and expected (forecast), as of the run ' +
            'that computed it. 404 when the device has no forecast (it measures no link utilisation, or no run ' +
            'reached it yet).',
          params: LinkIdParams,
          querystring: LinkQuery,
          response: { 200: CapacityLinkDetail, 404: ErrorBody, ...errors },
        },
      },
      async (req) => {
        const d = await capacity.link(principalOf(req), req.params.deviceId, req.query.days);
        return {
          ...presentLink(d),
          history: presentDays(d.history),
          forecast: presentDays(d.forecast),
          leadTimeDays: capacity.leadTimeDays,
        };
      },
    );
  };
}
