/**
 * The CSV side of the SIM import contract (shared/contracts/sim-import-v1.md): header check and per-row rules,
 * as pure functions. This is the hot path of a 1M-row import, so it uses plain loops and the check* functions of
 * identifiers.ts instead of a zod schema per row (zod costs ~10x here), and it pushes problems into the caller's
 * array instead of allocating result objects. Every problem carries line, field, value and reason.
 *
 * Cell conventions: cells are trimmed; an empty cell means "not given" (on --upsert the SIM keeps that value).
 */
import { checkEid, checkIccid, checkImei, checkImsi, checkMsisdn } from '../identifiers.ts';
import { isSimState, SIM_STATES } from '../lifecycle.ts';

export const KNOWN_COLUMNS = [
  'iccid',
  'imsi',
  'msisdn',
  'imei',
  'eid',
  'account',
  'communication_plan',
  'rate_plan',
  'state',
  'label',
] as const;
export type KnownColumn = (typeof KNOWN_COLUMNS)[number];
export const CUSTOM_PREFIX = 'custom.';
export const LABEL_MAX = 200;
/** Same rules as the SIM API's custom fields (sims.schemas.ts). */
const CUSTOM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const CUSTOM_MAX_FIELDS = 50;
export const CUSTOM_VALUE_MAX = 1000;

export type RowError = { line: number; field: string; value: string | null; reason: string };

export type Header = {
  /** Number of columns every row must have. */
  width: number;
  /** Index of each known column, -1 when absent. */
  at: Record<KnownColumn, number>;
  custom: { name: string; index: number }[];
  /** The column names as written (trimmed), by index: what a cell's problem names as its field. */
  names: string[];
};

/** The header is line 1. Unknown columns are a typo guard; `custom.<name>` columns become custom fields. */
export function parseHeader(cells: readonly string[]): { header: Header; errors: RowError[] } {
  const errors: RowError[] = [];
  const at = Object.fromEntries(KNOWN_COLUMNS.map((c) => [c, -1])) as Record<KnownColumn, number>;
  const custom: Header['custom'] = [];
  const seen = new Set<string>();
  cells.forEach((raw, index) => {
    const name = raw.trim();
    if (seen.has(name)) {
      errors.push({ line: 1, field: name, value: name, reason: `column ${index + 1} repeats an earlier column` });
      return;
    }
    seen.add(name);
    if (name.startsWith(CUSTOM_PREFIX)) {
      const field = name.slice(CUSTOM_PREFIX.length);
      if (CUSTOM_NAME.test(field)) custom.push({ name: field, index });
      else
        errors.push({
          line: 1,
          field: name,
          value: name,
          reason: 'custom field names are 1–64 letters, digits, dot, dash or underscore',
        });
      return;
    }
    if ((KNOWN_COLUMNS as readonly string[]).includes(name)) {
      at[name as KnownColumn] = index;
      return;
    }
    errors.push({
      line: 1,
      field: name,
      value: name,
      reason: `unknown column ${JSON.stringify(name)} (allowed: ${KNOWN_COLUMNS.join(', ')}, custom.<name>)`,
    });
  });
  if (custom.length > CUSTOM_MAX_FIELDS)
    errors.push({
      line: 1,
      field: '(header)',
      value: `${custom.length} custom columns`,
      reason: `at most ${CUSTOM_MAX_FIELDS} custom fields`,
    });
  for (const required of ['iccid', 'account'] as const) {
    if (at[required] === -1) errors.push({ line: 1, field: required, value: null, reason: 'required column missing' });
  }
  return { header: { width: cells.length, at, custom, names: cells.map((c) => c.trim()) }, errors };
}

/** Longest line (record) of a SIM file: a valid one, with every column and custom fields, is far shorter. */
export const MAX_LINE_CHARS = 64 * 1024;

export type AccountRef = { id: number; tenantId: number; path: string };

/** What a row needs from the database, loaded once per import and resolved in memory. */
export type Lookups = {
  account(number: string): AccountRef | undefined;
  accountById(id: number): AccountRef | undefined;
  communicationPlan: PlanLookup;
  ratePlan: PlanLookup;
};
/** A plan by name for an account (by path); `isAvailable`: may the account use this plan (by id)? */
export type PlanLookup = ((name: string, accountPath: string) => number | undefined) & {
  isAvailable(id: number, accountPath: string): boolean;
};

/** One valid line, normalised (ICCID as its 19-digit body, MSISDN without '+'). Null = not given. */
export type SimRow = {
  line: number;
  iccid: string;
  iccidRaw: string;
  imsis: string[] | null;
  msisdn: string | null;
  imei: string | null;
  eid: string | null;
  accountId: number;
  tenantId: number;
  communicationPlanId: number | null;
  ratePlanId: number | null;
  state: string | null;
  label: string | null;
  custom: Record<string, string> | null;
};

/**
 * Free text (labels, custom fields, plan names) is exported spreadsheet-safe: a cell a spreadsheet would run as a
 * formula (starting =, +, -, @, tab or CR; OWASP "CSV injection") gets a leading apostrophe, and the import takes
 * one apostrophe off such a cell again, so export → import still round-trips (a value that itself starts with
 * apostrophes before one of those characters gains, and loses, exactly one).
 */
const FORMULA = /^'*[=+\-@\t\r]/;
export const spreadsheetSafe = (v: string) => (FORMULA.test(v) ? `'${v}` : v);
const fromSpreadsheetSafe = (v: string) => (v.startsWith("'") && FORMULA.test(v) ? v.slice(1) : v);

/** A free-text cell: trimmed, and unescaped (spreadsheetSafe). */
const textCell = (cells: readonly string[], index: number) => fromSpreadsheetSafe(cell(cells, index));

function cell(cells: readonly string[], index: number): string {
  if (index < 0) return '';
  const v = cells[index];
  return v === undefined ? '' : v.trim();
}

function splitImsis(raw: string, line: number, errors: RowError[]): string[] | null {
  const out: string[] = [];
  let ok = true;
  for (const part of raw.split(';')) {
    const c = checkImsi(part);
    if (!c.ok) {
      errors.push({
        line,
        field: 'imsi',
        value: part.trim(),
        reason: part.trim() === '' ? 'empty IMSI in the list' : c.reason,
      });
      ok = false;
    } else if (out.includes(c.value)) {
      errors.push({ line, field: 'imsi', value: c.value, reason: 'listed twice on this line' });
      ok = false;
    } else out.push(c.value);
  }
  return ok ? out : null;
}

/**
 * Validates one data line; returns the normalised row, or null after pushing every problem of the line
 * (not only the first) into `errors`.
 */
export function validateRow(
  cells: readonly string[],
  line: number,
  h: Header,
  lk: Lookups,
  errors: RowError[],
): SimRow | null {
  if (cells.length !== h.width) {
    errors.push({
      line,
      field: '(line)',
      value: `${cells.length} fields`,
      reason: `expected ${h.width} fields as in the header, got ${cells.length}`,
    });
    return null;
  }
  const before = errors.length;
  // A NUL is valid UTF-8 but no PostgreSQL text can hold it: refused here with its line and column, or the whole
  // import failed with the database's "invalid byte sequence" and no place (issue 13, point 5).
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (c.includes('\u0000'))
      errors.push({
        line,
        field: h.names[i] ?? `(column ${i + 1})`,
        value: c.replaceAll('\u0000', '\\u0000'),
        reason: 'contains a NUL character (U+0000), which no text field can hold',
      });
  }
  if (errors.length > before) return null;
  const { at } = h;

  const iccidRaw = cell(cells, at.iccid);
  let iccid = '';
  if (iccidRaw === '') errors.push({ line, field: 'iccid', value: '', reason: 'required' });
  else {
    const c = checkIccid(iccidRaw);
    if (c.ok) iccid = c.value;
    else errors.push({ line, field: 'iccid', value: iccidRaw, reason: c.reason });
  }

  const imsiRaw = cell(cells, at.imsi);
  const imsis = imsiRaw === '' ? null : splitImsis(imsiRaw, line, errors);

  const optional = (field: 'msisdn' | 'imei' | 'eid', check: typeof checkMsisdn): string | null => {
    const raw = cell(cells, at[field]);
    if (raw === '') return null;
    const c = check(raw);
    if (c.ok) return c.value;
    errors.push({ line, field, value: raw, reason: c.reason });
    return null;
  };
  const msisdn = optional('msisdn', checkMsisdn);
  const imei = optional('imei', checkImei);
  const eid = optional('eid', checkEid);

  const accountNumber = cell(cells, at.account);
  const account = accountNumber === '' ? undefined : lk.account(accountNumber);
  if (accountNumber === '') errors.push({ line, field: 'account', value: '', reason: 'required' });
  else if (!account)
    errors.push({ line, field: 'account', value: accountNumber, reason: 'no account with this number' });

  let communicationPlanId: number | null = null;
  let ratePlanId: number | null = null;
  const commName = textCell(cells, at.communication_plan);
  if (commName !== '' && account) {
    communicationPlanId = lk.communicationPlan(commName, account.path) ?? null;
    if (communicationPlanId === null)
      errors.push({
        line,
        field: 'communication_plan',
        value: commName,
        reason: `no communication plan with this name is available to account ${accountNumber}`,
      });
  }
  const rateName = textCell(cells, at.rate_plan);
  if (rateName !== '' && account) {
    ratePlanId = lk.ratePlan(rateName, account.path) ?? null;
    if (ratePlanId === null)
      errors.push({
        line,
        field: 'rate_plan',
        value: rateName,
        reason: `no rate plan with this name is available to account ${accountNumber}`,
      });
  }

  const stateRaw = cell(cells, at.state);
  const state = stateRaw === '' ? null : stateRaw;
  if (state !== null && !isSimState(state))
    errors.push({
      line,
      field: 'state',
      value: state,
      reason: `unknown lifecycle state (one of ${SIM_STATES.join(', ')})`,
    });

  const labelRaw = textCell(cells, at.label);
  const label = labelRaw === '' ? null : labelRaw;
  if (label !== null && label.length > LABEL_MAX)
    errors.push({
      line,
      field: 'label',
      value: label,
      reason: `longer than ${LABEL_MAX} characters (${label.length})`,
    });

  let custom: Record<string, string> | null = null;
  for (const c of h.custom) {
    const v = textCell(cells, c.index);
    if (v === '') continue;
    if (v.length > CUSTOM_VALUE_MAX) {
      errors.push({
        line,
        field: `${CUSTOM_PREFIX}${c.name}`,
        value: v,
        reason: `longer than ${CUSTOM_VALUE_MAX} characters (${v.length})`,
      });
      continue;
    }
    custom ??= {};
    custom[c.name] = v;
  }

  if (errors.length !== before || !account) return null;
  return {
    line,
    iccid,
    iccidRaw,
    imsis,
    msisdn,
    imei,
    eid,
    accountId: account.id,
    tenantId: account.tenantId,
    communicationPlanId,
    ratePlanId,
    state,
    label,
    custom,
  };
}
