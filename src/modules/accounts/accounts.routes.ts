import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentAccount, presentContact } from './accounts.presenter.ts';
import {
  AccountPage,
  AccountView,
  ContactParams,
  ContactView,
  CreateAccountBody,
  CreateContactBody,
  IdParams,
  ListAccountsQuery,
  UpdateAccountBody,
  UpdateContactBody,
} from './accounts.schemas.ts';
import type { AccountsService } from './accounts.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['accounts'];

export function accountsRoutes(accounts: AccountsService) {
  return (app: App) => {
    app.post(
      '/api/v1/accounts',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createAccount',
          summary: 'Create an account',
          description: 'An account without a parent is a new enterprise (a root of the account tree).',
          body: CreateAccountBody,
          response: { 201: AccountView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(presentAccount(await accounts.create(principalOf(req), req.body))),
    );
    app.get(
      '/api/v1/accounts',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listAccounts',
          summary: 'List accounts',
          description: 'In tree order.',
          querystring: ListAccountsQuery,
          response: { 200: AccountPage, ...errors },
        },
      },
      async (req) => {
        const page = await accounts.list(principalOf(req), req.query);
        return { items: page.items.map(presentAccount), nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/api/v1/accounts/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getAccount',
          summary: 'Get an account',
          params: IdParams,
          response: { 200: AccountView, ...errors },
        },
      },
      async (req) => presentAccount(await accounts.get(principalOf(req), req.params.id)),
    );
    app.patch(
      '/api/v1/accounts/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateAccount',
          summary: 'Update an account',
          params: IdParams,
          body: UpdateAccountBody,
          response: { 200: AccountView, ...errors },
        },
      },
      async (req) => presentAccount(await accounts.update(principalOf(req), req.params.id, req.body)),
    );
    app.get(
      '/api/v1/accounts/:id/contacts',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listAccountContacts',
          summary: "List an account's contacts",
          params: IdParams,
          response: { 200: z.object({ items: z.array(ContactView) }), ...errors },
        },
      },
      async (req) => ({ items: (await accounts.contacts(principalOf(req), req.params.id)).map(presentContact) }),
    );
    app.post(
      '/api/v1/accounts/:id/contacts',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'addAccountContact',
          summary: 'Add a contact to an account',
          params: IdParams,
          body: CreateContactBody,
          response: { 201: ContactView, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(presentContact(await accounts.addContact(principalOf(req), req.params.id, req.body))),
    );
    app.patch(
      '/api/v1/accounts/:id/contacts/:contactId',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateAccountContact',
          summary: "Edit an account's contact",
          description:
            'Staff, or a customer within their account subtree (like adding one). `null` removes the email or the ' +
            'phone; a contact keeps at least one of them (400 naming the field otherwise).',
          params: ContactParams,
          body: UpdateContactBody,
          response: { 200: ContactView, ...errors },
        },
      },
      async (req) =>
        presentContact(await accounts.updateContact(principalOf(req), req.params.id, req.params.contactId, req.body)),
    );
  };
}
