/** Shared by the import tests: a tenant with plans, and CSV builders with valid identifiers. */
import type { Database } from '../../../platform/db/client.ts';
import { fakeSim, randomBase } from './sim-fixtures.ts';

export async function addPlans(database: Database, accountId: number, tenantId: number, suffix: string) {
  const [c] = await database.query<{ id: number }>(
    `INSERT INTO communication_plans (tenant_id, account_id, name, apns, allowed_rats)
     VALUES ($1, $2, $3, ARRAY['iot.example'], ARRAY['LTE']) RETURNING id::int AS id`,
    [tenantId, accountId, `Comm ${suffix}`],
  );
  const [r] = await database.query<{ id: number }>(
    `INSERT INTO rate_plans (tenant_id, account_id, name, currency, monthly_fee)
     VALUES ($1, $2, $3, 'EUR', 1.5) RETURNING id::int AS id`,
    [tenantId, accountId, `Rate ${suffix}`],
  );
  return { comm: { id: c!.id, name: `Comm ${suffix}` }, rate: { id: r!.id, name: `Rate ${suffix}` } };
}

export type CsvLine = Record<string, string>;

export function toCsv(columns: string[], lines: CsvLine[]): string {
  const q = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return `${[columns.join(','), ...lines.map((l) => columns.map((c) => q(l[c] ?? '')).join(','))].join('\n')}\n`;
}

/** `count` valid lines for `account`, identifiers from a fresh random base. */
export function validLines(account: string, count: number, extra: CsvLine = {}): CsvLine[] {
  const base = randomBase();
  return Array.from({ length: count }, (_, i) => {
    const s = fakeSim(base + i);
    return { iccid: s.iccid, imsi: s.imsi, msisdn: s.msisdn, imei: s.imei, account, ...extra };
  });
}
