import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { IccidParams } from '../sims/sims.schemas.ts';
import {
  presentEvent,
  presentFailing,
  presentFleetKey,
  presentSession,
  presentState,
  presentUsage,
} from './network.presenter.ts';
import {
  FailingQuery,
  FailingView,
  FleetQuery,
  FleetView,
  NetworkStateView,
  SessionPage,
  SessionsQuery,
  TraceEventPage,
  TraceEventsQuery,
  UsagePage,
  UsageQuery,
} from './network.schemas.ts';
import type { NetworkService } from './network.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['network'];
const iso = (d: Date) => d.toISOString();
const windowOf = (w: { from: Date; to: Date }) => ({ from: iso(w.from), to: iso(w.to) });

export function networkRoutes(network: NetworkService) {
  return (app: App) => {
    app.get(
      '/api/v1/sims/:iccid/events',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listSimEvents',
          summary: "List a SIM's network events",
          description: 'The trace: events in a time window, newest first.',
          params: IccidParams,
          querystring: TraceEventsQuery,
          response: { 200: TraceEventPage, ...errors },
        },
      },
      async (req) => {
        const r = await network.events(principalOf(req), req.params.iccid, req.query);
        return { ...windowOf(r), items: r.items.map(presentEvent), nextCursor: r.nextCursor };
      },
    );
    app.get(
      '/api/v1/sims/:iccid/sessions',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listSimSessions',
          summary: "List a SIM's data sessions",
          description: 'Sessions overlapping a time window, newest first.',
          params: IccidParams,
          querystring: SessionsQuery,
          response: { 200: SessionPage, ...errors },
        },
      },
      async (req) => {
        const r = await network.sessions(principalOf(req), req.params.iccid, req.query);
        return { ...windowOf(r), items: r.items.map(presentSession), nextCursor: r.nextCursor };
      },
    );
    app.get(
      '/api/v1/sims/:iccid/usage',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getSimUsage',
          summary: "Get a SIM's usage",
          description: "Per UTC hour or day (data, SMS, voice), newest first, with the window's totals.",
          params: IccidParams,
          querystring: UsageQuery,
          response: { 200: UsagePage, ...errors },
        },
      },
      async (req) => {
        const r = await network.usage(principalOf(req), req.params.iccid, req.query);
        const { at: _, ...totals } = presentUsage({ ...r.totals, at: r.from });
        return {
          ...windowOf(r),
          granularity: r.granularity,
          items: r.items.map(presentUsage),
          totals,
          nextCursor: r.nextCursor,
        };
      },
    );
    app.get(
      '/api/v1/sims/:iccid/network-state',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getSimNetworkState',
          summary: "Get a SIM's network state",
          description: 'Now: status, PLMN, APN, RAT, open session, last reject and IMEI history.',
          params: IccidParams,
          response: { 200: NetworkStateView, ...errors },
        },
      },
      async (req) => presentState(await network.state(principalOf(req), req.params.iccid)),
    );
    app.get(
      '/api/v1/network/fleet',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getFleetEventCounts',
          summary: 'Count fleet network events',
          description: 'Event counts over time by PLMN, APN, cause or type. A customer sees its own accounts.',
          querystring: FleetQuery,
          response: { 200: FleetView, ...errors },
        },
      },
      async (req) => {
        const r = await network.fleet(principalOf(req), req.query);
        return {
          ...windowOf(r),
          by: r.by,
          bucket: r.bucket,
          source: r.source,
          items: r.items.map((x) => ({
            at: new Date(x.at).toISOString(),
            key: presentFleetKey(x.key),
            events: x.events,
          })),
          totals: r.totals.map((x) => ({ key: presentFleetKey(x.key), events: x.events })),
        };
      },
    );
    app.get(
      '/api/v1/network/plmns/failing',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getFailingPlmns',
          summary: 'List PLMNs and APNs rejecting SIMs now',
          description: 'By cause, counting distinct SIMs ("is it us or you?").',
          querystring: FailingQuery,
          response: { 200: FailingView, ...errors },
        },
      },
      async (req) => presentFailing(await network.failing(principalOf(req), req.query)),
    );
  };
}
