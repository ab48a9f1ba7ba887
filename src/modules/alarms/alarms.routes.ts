import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentAlarm } from './alarms.presenter.ts';
import { AlarmActionBody, AlarmIdParams, AlarmPage, AlarmView, ListAlarmsQuery } from './alarms.schemas.ts';
import type { AlarmsService } from './alarms.service.ts';

const present = async (alarms: AlarmsService, a: Awaited<ReturnType<AlarmsService['get']>>) =>
  presentAlarm(a, await alarms.iccidsFor([a]));

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['alarms'];

export function alarmsRoutes(alarms: AlarmsService) {
  return (app: App) => {
    app.get(
      '/api/v1/alarms',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listAlarms',
          summary: 'List alarms',
          description:
            'Staff only. Newest first (by when the condition was last seen). One active alarm per SIM and type; a ' +
            'silence that lasts raises its count every 5 minutes, and the first check after the SIM talks clears it.',
          querystring: ListAlarmsQuery,
          response: { 200: AlarmPage, ...errors },
        },
      },
      async (req) => {
        const page = await alarms.list(principalOf(req), req.query);
        const iccids = await alarms.iccidsFor(page.items);
        return { items: page.items.map((a) => presentAlarm(a, iccids)), nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/api/v1/alarms/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getAlarm',
          summary: 'Get an alarm',
          params: AlarmIdParams,
          response: { 200: AlarmView, ...errors },
        },
      },
      async (req) => present(alarms, await alarms.get(principalOf(req), req.params.id)),
    );
    app.post(
      '/api/v1/alarms/:id/acknowledge',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'acknowledgeAlarm',
          summary: 'Acknowledge an alarm',
          description: 'Someone is on it. The first acknowledgement is kept; the alarm stays active until cleared.',
          params: AlarmIdParams,
          body: AlarmActionBody.nullish().describe('Optional: nothing to send'),
          response: { 200: AlarmView, ...errors },
        },
      },
      async (req) => present(alarms, await alarms.acknowledge(principalOf(req), req.params.id)),
    );
    app.post(
      '/api/v1/alarms/:id/clear',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'clearAlarm',
          summary: 'Clear an alarm',
          description:
            'Handled by hand. A condition that persists raises a new alarm at its next check (a silence: within 5 ' +
            'minutes).',
          params: AlarmIdParams,
          body: AlarmActionBody.nullish().describe('Optional: nothing to send'),
          response: { 200: AlarmView, ...errors },
        },
      },
      async (req) => present(alarms, await alarms.clear(principalOf(req), req.params.id)),
    );
  };
}
