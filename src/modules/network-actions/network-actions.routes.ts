import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { IccidParams } from '../sims/sims.schemas.ts';
import { presentAction } from './network-actions.presenter.ts';
import {
  ActionBody,
  ActionPage,
  ActionParams,
  ActionsQuery,
  ActionView,
  CommandPage,
  CommandsQuery,
} from './network-actions.schemas.ts';
import type { NetworkActionsService } from './network-actions.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['network actions'];

export function networkActionsRoutes(actions: NetworkActionsService) {
  return (app: App) => {
    app.post(
      '/api/v1/sims/:iccid/actions',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'requestSimAction',
          summary: 'Request a network action on a SIM',
          description:
            'connectivity_reset, change_state, change_plan or send_config_sms. Answers 202 with the action as ' +
            'requested; the worker applies it (follow it with GET …/actions/{id}).',
          params: IccidParams,
          body: ActionBody,
          response: { 202: ActionView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(202).send(presentAction(await actions.request(principalOf(req), req.params.iccid, req.body))),
    );
    app.get(
      '/api/v1/sims/:iccid/actions',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listSimActions',
          summary: "List a SIM's network actions",
          description: 'Newest first: who asked, what, why, and what came of it.',
          params: IccidParams,
          querystring: ActionsQuery,
          response: { 200: ActionPage, ...errors },
        },
      },
      async (req) => {
        const page = await actions.list(principalOf(req), req.params.iccid, req.query);
        return { items: page.items.map(presentAction), nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/api/v1/sims/:iccid/actions/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getSimAction',
          summary: 'Get a network action',
          params: ActionParams,
          response: { 200: ActionView, ...errors },
        },
      },
      async (req) => presentAction(await actions.get(principalOf(req), req.params.iccid, req.params.id)),
    );
    app.get(
      '/api/v1/network/simulated-commands',
      {
        config: { auth: 'ingest' },
        schema: {
          tags,
          operationId: 'listSimulatedCommands',
          summary: 'List commands sent to the simulated network',
          description:
            'What the simulated network adapter sent (NETWORK_ADAPTER=simulated): the feed a simulator in its own ' +
            'process polls with its ingest credential.',
          querystring: CommandsQuery,
          response: { 200: CommandPage, ...errors },
        },
      },
      async (req) => actions.simulatedCommands(req.query),
    );
  };
}
