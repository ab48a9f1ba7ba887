import { z } from 'zod';
import { PLMN_TYPES } from './plmns.data.ts';

export const PlmnCode = z.string().regex(/^\d{5,6}$/, 'must be 5 or 6 digits: MCC (3) + MNC (2 or 3), e.g. 24001');

export const PlmnParams = z.object({ plmn: PlmnCode });

export const ListPlmnsQuery = z.object({
  mcc: z
    .string()
    .regex(/^\d{3}$/, 'must be 3 digits, e.g. 240')
    .optional(),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as SE')
    .optional()
    .describe('Networks serving this country'),
  q: z.string().trim().min(1).max(100).optional().describe('Operator or brand contains (case-insensitive)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(100).optional(),
});
export type ListPlmnsInput = z.infer<typeof ListPlmnsQuery>;

export const PlmnView = z
  .object({
    plmn: z.string().describe('MCC+MNC'),
    mcc: z.string(),
    mnc: z.string(),
    countryCode: z.string().nullable().describe('ISO 3166-1 alpha-2 (the first, if the network serves several)'),
    countryCodes: z.array(z.string()),
    countryName: z.string().nullable(),
    operator: z.string().nullable(),
    brand: z.string().nullable(),
    status: z.string().nullable(),
    type: z.enum(PLMN_TYPES).nullable().describe('National, International (e.g. 901 satellite/maritime) or Test'),
  })
  .meta({ id: 'Plmn' });

export const PlmnDetailView = PlmnView.extend({
  otherEntries: z
    .array(PlmnView)
    .describe('Further reference entries with the same code (a network listed for several territories)'),
}).meta({ id: 'PlmnDetail' });

export const PlmnPage = z
  .object({ items: z.array(PlmnView), nextCursor: z.string().nullable() })
  .meta({ id: 'PlmnPage' });
