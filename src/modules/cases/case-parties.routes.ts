import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentContact, presentProviderRef } from './case-parties.presenter.ts';
import {
  CaseContactList,
  CaseContactParams,
  CreateProviderRefBody,
  ProviderRefList,
  ProviderRefParams,
  ProviderRefView,
} from './case-parties.schemas.ts';
import type { CaseParties } from './case-parties.ts';
import { CaseNumberParams } from './cases.schemas.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['cases'];

/** Contacts on a case and its provider references (see case-parties.ts for who may do what). */
export function casePartiesRoutes(parties: CaseParties) {
  return (app: App) => {
    app.put(
      '/api/v1/cases/:number/contacts/:contactId',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'addCaseContact',
          summary: 'Put a contact on a case',
          description:
            "One of the case account's contacts or of an account above it; answers the case's contacts. " +
            'Customers: contacts of their own subtree only. No-op when already on the case.',
          params: CaseContactParams,
          response: { 200: CaseContactList, ...errors },
        },
      },
      async (req) => {
        const { number, contactId } = req.params;
        return { items: (await parties.addContact(principalOf(req), number, contactId)).map(presentContact) };
      },
    );
    app.delete(
      '/api/v1/cases/:number/contacts/:contactId',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'removeCaseContact',
          summary: 'Take a contact off a case',
          description: "Customers: contacts of their own subtree only. Answers the case's contacts.",
          params: CaseContactParams,
          response: { 200: CaseContactList, ...errors },
        },
      },
      async (req) => {
        const { number, contactId } = req.params;
        return { items: (await parties.removeContact(principalOf(req), number, contactId)).map(presentContact) };
      },
    );
    app.post(
      '/api/v1/cases/:number/provider-refs',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'addCaseProviderRef',
          summary: 'Add a provider reference to a case',
          description:
            'Records that a partner works on the case under its own ticket number. Staff only; 409 if already recorded.',
          params: CaseNumberParams,
          body: CreateProviderRefBody,
          response: { 201: ProviderRefView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(presentProviderRef(await parties.addProviderRef(principalOf(req), req.params.number, req.body))),
    );
    app.delete(
      '/api/v1/cases/:number/provider-refs/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'removeCaseProviderRef',
          summary: 'Remove a provider reference',
          description: "Staff only. Answers the case's remaining references.",
          params: ProviderRefParams,
          response: { 200: ProviderRefList, ...errors },
        },
      },
      async (req) => {
        const { number, id } = req.params;
        return { items: (await parties.removeProviderRef(principalOf(req), number, id)).map(presentProviderRef) };
      },
    );
  };
}
