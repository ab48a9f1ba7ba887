import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import {
  BacktestQuery,
  BacktestView,
  CreateRuleBody,
  RuleIdParams,
  RuleList,
  RuleView,
  UpdateRuleBody,
} from './rules.schemas.ts';
import type { RuleRow, RulesService } from './rules.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['alarms'];

export function presentRule(r: RuleRow): z.infer<typeof RuleView> {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as 'silence',
    enabled: r.enabled,
    scope: r.scope,
    params: r.params as z.infer<typeof RuleView>['params'],
    severity: r.severity as z.infer<typeof RuleView>['severity'],
    escalation: (r.escalation as z.infer<typeof RuleView>['escalation']) ?? null,
    schedule: (r.schedule as z.infer<typeof RuleView>['schedule']) ?? null,
    openCase: r.openCase,
    remindMinutes: r.remindMinutes,
    lastError: r.lastError,
    failedAt: r.failedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function rulesRoutes(rules: RulesService) {
  return (app: App) => {
    app.get(
      '/api/v1/alarm-rules',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listAlarmRules',
          summary: 'List alarm rules',
          description:
            'Staff only. A SIM is governed by the most specific enabled rule whose scope takes it in (more scope ' +
            'fields set wins; of equals, the older). A SIM no rule takes in keeps the built-in silence rule.',
          response: { 200: RuleList, ...errors },
        },
      },
      async (req) => ({ items: (await rules.list(principalOf(req))).map(presentRule) }),
    );
    app.post(
      '/api/v1/alarm-rules',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createAlarmRule',
          summary: 'Create an alarm rule',
          description:
            'Staff only. Every unknown account, plan or device model is named by its place (scope.accountIds[1]). ' +
            'A SIM already watched comes under the rule at its next check.',
          body: CreateRuleBody,
          response: { 201: RuleView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(presentRule(await rules.create(principalOf(req), req.body))),
    );
    app.post(
      '/api/v1/alarm-rule-backtests',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'backtestAlarmRule',
          summary: 'Backtest a rule before saving it',
          description:
            'Staff only. What the rule would have raised on the stored history of the last `days` days (7 by ' +
            'default), validated as at save; nothing is saved. At most 5,000 in-service SIMs are read (the first ' +
            'by id): beyond, `sampled` is true and the figures are for those read.',
          querystring: BacktestQuery,
          body: CreateRuleBody,
          response: { 200: BacktestView, ...errors },
        },
      },
      async (req) => rules.backtestDraft(principalOf(req), req.body, req.query.days),
    );
    app.get(
      '/api/v1/alarm-rules/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getAlarmRule',
          summary: 'Get an alarm rule',
          params: RuleIdParams,
          response: { 200: RuleView, ...errors },
        },
      },
      async (req) => presentRule(await rules.get(principalOf(req), req.params.id)),
    );
    app.patch(
      '/api/v1/alarm-rules/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateAlarmRule',
          summary: 'Change an alarm rule',
          description:
            'Staff only. Only the fields given change; `params` merges. `null` removes an escalation or a schedule.',
          params: RuleIdParams,
          body: UpdateRuleBody,
          response: { 200: RuleView, 409: ErrorBody, ...errors },
        },
      },
      async (req) => presentRule(await rules.update(principalOf(req), req.params.id, req.body)),
    );
    app.delete(
      '/api/v1/alarm-rules/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'deleteAlarmRule',
          summary: 'Delete an alarm rule',
          description:
            'Staff only. Its SIMs come under the next rule that takes them in (or the built-in) at their next check; its alarms stay.',
          params: RuleIdParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await rules.remove(principalOf(req), req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/api/v1/alarm-rules/:id/backtest',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'backtestSavedAlarmRule',
          summary: 'Backtest a saved rule',
          description: 'Staff only. As POST /api/v1/alarm-rule-backtests, for a rule as it is saved.',
          params: RuleIdParams,
          querystring: BacktestQuery,
          response: { 200: BacktestView, ...errors },
        },
      },
      async (req) => rules.backtestSaved(principalOf(req), req.params.id, req.query.days),
    );
  };
}
