import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { AlarmSeriesQuery, AlarmSeriesView, SERIES_MAX_BUCKETS, SERIES_MAX_SPAN_DAYS } from './alarm-series.schemas.ts';
import type { AlarmSeriesService } from './alarm-series.ts';
import { AlarmIdParams } from './alarms.schemas.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export function alarmSeriesRoutes(series: AlarmSeriesService) {
  return (app: App) => {
    app.get(
      '/api/v1/alarms/:id/series',
      {
        config: { auth: 'read' },
        schema: {
          tags: ['alarms'],
          operationId: 'getAlarmSeries',
          summary: "An alarm's traffic series",
          description:
            "Staff only. The traffic around the alarm, per time bucket: a SIM's alarm counts the SIM's own events " +
            '(accepted, refused, per type) and the data volume its sessions reported; a network or APN alarm counts ' +
            "that network's or APN's events over the provider's fleet. With the alarm's instants (first and last " +
            "seen, cleared; a silence's last event, due time and threshold) to mark on the chart. Every bucket of " +
            `the window is listed, empty ones included. At most ${SERIES_MAX_SPAN_DAYS} days and ` +
            `${SERIES_MAX_BUCKETS} buckets; a rule's alarm has no series (400).`,
          params: AlarmIdParams,
          querystring: AlarmSeriesQuery,
          response: { 200: AlarmSeriesView, ...errors },
        },
      },
      async (req) => series.series(principalOf(req), req.params.id, req.query),
    );
  };
}
