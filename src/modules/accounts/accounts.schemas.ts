import { z } from 'zod';

export const LANGUAGES = ['en', 'fr', 'de', 'it', 'ru', 'sv'] as const;
export type Language = (typeof LANGUAGES)[number];

export const VIP_TIERS = ['standard', 'silver', 'gold', 'platinum'] as const;
export const ACCOUNT_KINDS = ['enterprise', 'sub_account', 'end_consumer'] as const;
export const CONTACT_ROLES = ['technical', 'billing', 'escalation', 'commercial', 'primary'] as const;

const validTimeZones = new Set(Intl.supportedValuesOf('timeZone'));
validTimeZones.add('UTC');

export const TimeZone = z.string().refine((tz) => validTimeZones.has(tz), { message: 'unknown IANA time zone' });
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
/** Zod runs refinements even after a failed regex, and DisplayNames throws on malformed codes: guard both. */
function isCountryCode(c: string): boolean {
  if (!/^[A-Z]{2}$/.test(c)) return true; // the regex above already reported it
  try {
    return regionNames.of(c) !== undefined;
  } catch {
    return false;
  }
}

export const Country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as SE')
  .refine(isCountryCode, { message: 'unknown ISO 3166-1 country code', abort: true });
export const AccountNumber = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'must be 1–40 letters, digits, dot, dash or underscore');

export const CreateAccountBody = z
  .object({
    number: AccountNumber.describe('The provider-wide account number (also used in SIM import files)'),
    name: z.string().trim().min(1).max(200),
    parentId: z.number().int().positive().optional().describe('Omit to create an enterprise (a new tenant)'),
    kind: z.enum(ACCOUNT_KINDS).optional().describe('Defaults to enterprise for a root, sub_account below'),
    vipTier: z
      .enum(VIP_TIERS)
      .optional()
      .describe("Defaults to the parent's tier (standard for a root); only staff set another"),
    language: z.enum(LANGUAGES).default('en'),
    timeZone: TimeZone.default('UTC'),
    country: Country,
  })
  .meta({ id: 'CreateAccountRequest' });
export type CreateAccountInput = z.infer<typeof CreateAccountBody>;

export const UpdateAccountBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    vipTier: z.enum(VIP_TIERS),
    language: z.enum(LANGUAGES),
    timeZone: TimeZone,
    country: Country,
  })
  .partial()
  .meta({ id: 'UpdateAccountRequest' });
export type UpdateAccountInput = z.infer<typeof UpdateAccountBody>;

export const AccountView = z
  .object({
    id: z.number().int(),
    tenantId: z.number().int(),
    parentId: z.number().int().nullable(),
    depth: z.number().int(),
    number: z.string(),
    name: z.string(),
    kind: z.enum(ACCOUNT_KINDS),
    vipTier: z.enum(VIP_TIERS),
    language: z.enum(LANGUAGES),
    timeZone: z.string(),
    country: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Account' });

export const ListAccountsQuery = z.object({
  parentId: z.coerce.number().int().positive().optional(),
  under: z.coerce.number().int().positive().optional().describe('Only this account and its subtree'),
  q: z.string().trim().min(1).max(100).optional().describe('Name contains, or number starts with'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(500).optional(),
});

export const AccountPage = z
  .object({ items: z.array(AccountView), nextCursor: z.string().nullable() })
  .meta({ id: 'AccountPage' });

export const Phone = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be E.164 with a leading +, e.g. +46701234567');

export const CreateContactBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().toLowerCase().email().max(254).optional(),
    phone: Phone.optional(),
    language: z.enum(LANGUAGES).optional().describe("Defaults to the account's language"),
    roles: z.array(z.enum(CONTACT_ROLES)).max(CONTACT_ROLES.length).default([]),
  })
  .refine((c) => c.email !== undefined || c.phone !== undefined, {
    message: 'give an email or a phone',
    path: ['email'],
  })
  .meta({ id: 'CreateContactRequest' });
export type CreateContactInput = z.infer<typeof CreateContactBody>;

export const UpdateContactBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().toLowerCase().email().max(254).nullable().describe('null removes it'),
    phone: Phone.nullable().describe('null removes it'),
    language: z.enum(LANGUAGES),
    roles: z.array(z.enum(CONTACT_ROLES)).max(CONTACT_ROLES.length),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one of name, email, phone, language, roles' })
  .meta({ id: 'UpdateContactRequest' });
export type UpdateContactInput = z.infer<typeof UpdateContactBody>;

export const ContactParams = z.object({
  id: z.coerce.number().int().positive(),
  contactId: z.coerce.number().int().positive(),
});

export const ContactView = z
  .object({
    id: z.number().int(),
    accountId: z.number().int(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    language: z.enum(LANGUAGES),
    roles: z.array(z.enum(CONTACT_ROLES)),
    emailBouncedAt: z
      .string()
      .nullable()
      .describe('When mail to the address bounced for good: the desk sends it none until the address changes'),
    createdAt: z.string(),
  })
  .meta({ id: 'Contact' });

export const IdParams = z.object({ id: z.coerce.number().int().positive() });
