import { isStaff } from '../../platform/auth.ts';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentAlarm, presentCustomerAlarm } from './alarms.presenter.ts';
import {
  AlarmActionBody,
  AlarmIdParams,
  AlarmPage,
  AlarmView,
  CustomerAlarmPage,
  CustomerAlarmView,
  ListAlarmsQuery,
} from './alarms.schemas.ts';
import type { AlarmRow, AlarmsService } from './alarms.service.ts';

const present = async (alarms: AlarmsService, a: AlarmRow) => presentAlarm(a, await alarms.iccidsFor([a]));

const CUSTOMERS =
  "A customer sees their own accounts' SIM alarms (silence, refusal_burst, usage_drop, usage_drift) and device " +
  'alarms (telemetry_threshold) in the CustomerAlarm shape: type, severity, active or cleared, acknowledged or not, ' +
  'the ICCID or the device, first and last seen, count, cleared time and the cause as facts — no rule, staff or case ' +
  'bookkeeping; network, APN and rule alarms are staff-only (a fleet outage reaches customers through its monitoring ' +
  'case). Staff get the Alarm shape.';

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
            'Newest first (by when the condition was last seen). One active alarm per SIM and type; a silence that ' +
            `lasts raises its count every 5 minutes, and the first check after the SIM talks clears it. ${CUSTOMERS}`,
          querystring: ListAlarmsQuery,
          response: { 200: AlarmPage.or(CustomerAlarmPage), ...errors },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const page = await alarms.list(p, req.query);
        const iccids = await alarms.iccidsFor(page.items);
        const { nextCursor } = page;
        if (isStaff(p)) {
          const groups = await alarms.groupSizesOf(page.items);
          return { items: page.items.map((a) => presentAlarm(a, iccids, groups)), nextCursor };
        }
        const devices = await alarms.deviceNamesFor(page.items);
        return { items: page.items.map((a) => presentCustomerAlarm(a, iccids, devices)), nextCursor };
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
          description: `${CUSTOMERS} Another account's alarm, or a staff-only one, answers 404 to a customer.`,
          params: AlarmIdParams,
          response: { 200: AlarmView.or(CustomerAlarmView), ...errors },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const a = await alarms.read(p, req.params.id);
        const iccids = await alarms.iccidsFor([a]);
        if (isStaff(p)) return presentAlarm(a, iccids, await alarms.groupSizesOf([a]));
        return presentCustomerAlarm(a, iccids, await alarms.deviceNamesFor([a]));
      },
    );
    app.post(
      '/api/v1/alarms/:id/acknowledge',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'acknowledgeAlarm',
          summary: 'Acknowledge an alarm',
          description:
            'Staff only (a customer gets 403). Someone is on it. The first acknowledgement is kept; the alarm stays ' +
            'active until cleared.',
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
            'Staff only (a customer gets 403). Handled by hand. A condition that persists raises a new alarm at its ' +
            'next check (a silence: within 5 minutes).',
          params: AlarmIdParams,
          body: AlarmActionBody.nullish().describe('Optional: nothing to send'),
          response: { 200: AlarmView, ...errors },
        },
      },
      async (req) => present(alarms, await alarms.clear(principalOf(req), req.params.id)),
    );
  };
}
