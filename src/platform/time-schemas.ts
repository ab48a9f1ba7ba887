/**
 * Date-time input, one definition for every schema: RFC 3339 with an offset, of a year PostgreSQL stores. zod takes
 * 0000-01-01, which PostgreSQL refuses ("date/time field value out of range"): that was a 500 on the diagnosis
 * window and the lastSeen filters (outside probe round 6).
 */
import { z } from 'zod';

const realYear = (v: string) => !v.startsWith('0000');
const YEAR = { message: 'year 0000 does not exist (1 BC is not stored); use a year from 0001' };

export const DateTimeText = z.iso.datetime({ offset: true }).refine(realYear, YEAR);
export const DateText = z.iso.date().refine(realYear, YEAR);
