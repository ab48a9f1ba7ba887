import { z } from 'zod';
import { LANGUAGES } from '../accounts/accounts.schemas.ts';
import { CaseNumberParams, CaseView } from './cases.schemas.ts';

export const CaseContactView = z
  .object({
    id: z.number().int(),
    accountId: z.number().int(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    roles: z.array(z.string()),
    language: z.enum(LANGUAGES).describe('The language the desk mails this contact in'),
    emailBouncedAt: z
      .string()
      .nullable()
      .describe('When mail to the address bounced for good: nothing more is mailed to it until it changes'),
  })
  .meta({ id: 'CaseContact' });

export const ProviderRefView = z
  .object({
    id: z.number().int(),
    provider: z.string(),
    ticket: z.string(),
    note: z.string().nullable(),
    createdBy: z.number().int().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'CaseProviderRef' });

export const CaseDetailView = CaseView.extend({
  contacts: z
    .array(CaseContactView)
    .describe("The case's contacts: of the case's account or an account above it; whoever sees the case sees them"),
  providerRefs: z
    .array(ProviderRefView)
    .optional()
    .describe('Staff only (absent for customers): which partners work on the case under which ticket number'),
}).meta({ id: 'CaseDetail' });

export const CaseContactList = z.object({ items: z.array(CaseContactView) }).meta({ id: 'CaseContactList' });
export const ProviderRefList = z.object({ items: z.array(ProviderRefView) }).meta({ id: 'CaseProviderRefList' });

export const CaseContactParams = CaseNumberParams.extend({ contactId: z.coerce.number().int().positive() });
export const ProviderRefParams = CaseNumberParams.extend({ id: z.coerce.number().int().positive() });

export const CreateProviderRefBody = z
  .object({
    provider: z.string().trim().min(1).max(100).describe("The partner's name, e.g. the host operator"),
    ticket: z.string().trim().min(1).max(100).describe("The partner's own ticket number"),
    note: z.string().trim().max(1000).optional(),
  })
  .meta({ id: 'CreateCaseProviderRefRequest' });
export type CreateProviderRefInput = z.infer<typeof CreateProviderRefBody>;
