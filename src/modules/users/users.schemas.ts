import { z } from 'zod';
import { ROLES, SCOPES } from '../../platform/auth.ts';
import { LANGUAGES } from '../accounts/accounts.schemas.ts';

export const Email = z.string().trim().toLowerCase().email().max(254);

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(200) }).meta({ id: 'LoginRequest' });

export const NewPassword = z.string().min(10, 'must be at least 10 characters').max(200);

export const ChangePasswordBody = z
  .object({ currentPassword: z.string().min(1).max(200), newPassword: NewPassword })
  .meta({ id: 'ChangePasswordRequest' });

export const CreateUserBody = z
  .object({
    email: Email,
    name: z.string().trim().min(1).max(200),
    password: NewPassword,
    role: z.enum(ROLES),
    /** Required for customers: the account (and its subtree) the user may see. */
    accountId: z.number().int().positive().optional(),
    language: z
      .enum(LANGUAGES)
      .optional()
      .describe("Default: a customer gets their account's language (the portal speaks it), staff get en"),
  })
  .meta({ id: 'CreateUserRequest' });
export type CreateUserInput = z.infer<typeof CreateUserBody>;

export const UpdateUserBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    /** Between the staff roles only: a customer user is tied to an account, a staff user to none. */
    role: z.enum(ROLES).optional(),
    language: z.enum(LANGUAGES).optional(),
    disabled: z.boolean().optional().describe('true: the user cannot log in, their sessions end, their tokens stop'),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one of name, role, language, disabled' })
  .meta({ id: 'UpdateUserRequest' });
export type UpdateUserInput = z.infer<typeof UpdateUserBody>;

export const UserIdParams = z.object({ id: z.coerce.number().int().positive() });
export const UserTokenParams = z.object({
  id: z.coerce.number().int().positive(),
  tokenId: z.coerce.number().int().positive(),
});

export const USERS_PAGE_MAX = 500;
export const ListUsersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(USERS_PAGE_MAX).default(100).describe('Users per page (1-500)'),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a nextCursor from a previous page')
    .optional()
    .describe("The previous page's nextCursor: the page after it (users in id order)"),
});
export type ListUsersInput = z.infer<typeof ListUsersQuery>;

export const UserView = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    accountId: z.number().int().nullable(),
    tenantId: z.number().int().nullable(),
    language: z.string(),
    disabled: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });

/** Someone a case can be assigned to: the console's assignee picker. */
export const AgentView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    role: z.enum(['admin', 'agent']),
  })
  .meta({ id: 'Agent' });
export const AgentList = z.object({ items: z.array(AgentView) }).meta({ id: 'AgentList' });

export const MeView = UserView.extend({ scopes: z.array(z.enum(SCOPES)), via: z.string() }).meta({ id: 'Me' });

export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(SCOPES)).min(1).max(4),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .meta({ id: 'CreateTokenRequest' });
export type CreateTokenInput = z.infer<typeof CreateTokenBody>;

export const TokenView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });

export const CreatedTokenView = TokenView.extend({
  token: z.string().describe('The secret; shown once, only its hash is stored'),
}).meta({ id: 'CreatedApiToken' });
