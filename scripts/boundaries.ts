/**
 * The module-boundary rules, pure (scripts/check-boundaries.ts does the file I/O):
 *  - every table has one owner: the module whose `*.tables.ts` declares it (`pgTable('name', …)`), `platform` for
 *    src/platform (usable by anyone), or an allow-list entry for a table drizzle-kit cannot declare;
 *  - a module's code imports no other module's `*.repo.ts` / `*.tables.ts` (the CLI none at all), and its SQL
 *    (string and template literals) names no other module's table after from/join/into/update/table/copy;
 *  - except the read models of the allow-list, each entry naming its files, what they read and why; an entry or
 *    a part of one that allows nothing is itself an error, so the list cannot go stale.
 */
import path from 'node:path';

export type SourceFile = { path: string; text: string };
export type Owners = Map<string, string>;

/** `src/modules/<m>/…` → m; `src/platform/…` → platform; `src/cli/…` → cli; anything else → undefined. */
export function moduleOf(file: string): string | undefined {
  const p = file.split(path.sep).join('/');
  const m = /^src\/modules\/([^/]+)\//.exec(p);
  if (m) return m[1];
  if (p.startsWith('src/platform/')) return 'platform';
  if (p.startsWith('src/cli/')) return 'cli';
  return undefined;
}

/** Table name → owning module, from the `pgTable('name', …)` declarations of `*.tables.ts` files. */
export function tableOwners(files: readonly SourceFile[]): { owners: Owners; errors: string[] } {
  const owners: Owners = new Map();
  const errors: string[] = [];
  for (const f of files) {
    const owner = moduleOf(f.path);
    if (owner === undefined || owner === 'cli') continue;
    for (const m of f.text.matchAll(/\bpgTable\(\s*['"`]([A-Za-z0-9_]+)['"`]/g)) {
      const prior = owners.get(m[1]!);
      if (prior !== undefined && prior !== owner) errors.push(`table ${m[1]} is declared by ${prior} and ${owner}`);
      owners.set(m[1]!, owner);
    }
  }
  return { owners, errors };
}

/** Tables a migration creates (partitions excluded: they belong to their parent) and does not drop again. */
export function migrationTables(sqlText: string): Set<string> {
  const created = new Set<string>();
  for (const m of sqlText.matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?"?([A-Za-z0-9_]+)"?([^;]*)/gi)) {
    if (!/\bpartition\s+of\b/i.test(m[2]!)) created.add(m[1]!);
  }
  for (const m of sqlText.matchAll(/drop\s+table\s+(?:if\s+exists\s+)?"?([A-Za-z0-9_]+)"?/gi)) created.delete(m[1]!);
  return created;
}

export type Literal = { text: string; line: number };
export type Code = { literals: Literal[]; imports: { spec: string; line: number }[] };

/**
 * The string and template literals of a TypeScript source (comments skipped; a template's `${…}` becomes `?`,
 * and the literals inside it are literals too) and its import specifiers (`from '…'`, `import('…')`).
 * A small lexer: enough for this code base's sources, not a TypeScript parser.
 */
export function lex(src: string): Code {
  const literals: Literal[] = [];
  const imports: { spec: string; line: number }[] = [];
  let line = 1;
  let i = 0;
  // Each open `${`: the brace depth that closes it, and its template's text so far (one literal per template).
  const templates: { depth: number; text: string; line: number }[] = [];
  let depth = 0;
  let prev = ''; // last significant code character, to tell a regex literal from a division
  let prevWord = '';
  const n = src.length;

  const quoted = (q: string): Literal => {
    const start = line;
    let text = '';
    i++;
    while (i < n && src[i] !== q) {
      if (src[i] === '\\') {
        text += src[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (src[i] === '\n') line++;
      text += src[i];
      i++;
    }
    i++;
    return { text, line: start };
  };

  /** From just after a backtick or a `}` closing `${`: to the closing backtick or the next `${`. */
  const templatePart = (start: number, sofar: string) => {
    let text = sofar;
    while (i < n) {
      const c = src[i]!;
      if (c === '\\') {
        text += src[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '`') {
        i++;
        literals.push({ text, line: start });
        prev = '`';
        return;
      }
      if (c === '$' && src[i + 1] === '{') {
        i += 2;
        templates.push({ depth, text: `${text}?`, line: start });
        depth++;
        prev = '{';
        return;
      }
      if (c === '\n') line++;
      text += c;
      i++;
    }
    literals.push({ text, line: start });
  };

  while (i < n) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      const lit = quoted(c);
      literals.push(lit);
      if (prevWord === 'from' || (prevWord === 'import' && (prev === '(' || prev === 'a')))
        imports.push({ spec: lit.text, line: lit.line });
      prev = c;
      prevWord = '';
      continue;
    }
    if (c === '`') {
      i++;
      templatePart(line, '');
      prevWord = '';
      continue;
    }
    if (c === '/') {
      // A regex literal where an expression may start; otherwise a division.
      if (
        prev === '' ||
        '(,=:[!&|?{};+-*%<>~^'.includes(prev) ||
        /^(return|typeof|case|in|of|yield|await)$/.test(prevWord)
      ) {
        i++;
        let inClass = false;
        while (i < n && src[i] !== '\n') {
          const r = src[i]!;
          if (r === '\\') i++;
          else if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          else if (r === '/' && !inClass) break;
          i++;
        }
        i++;
        while (i < n && /[a-z]/i.test(src[i]!)) i++;
        prev = ')';
        prevWord = '';
        continue;
      }
    }
    if (/[A-Za-z_$]/.test(c)) {
      let w = '';
      while (i < n && /[\w$]/.test(src[i]!)) w += src[i++];
      // `import(` keeps its word for the specifier; every other word replaces it.
      prevWord = w;
      prev = 'a';
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') {
      const open = templates[templates.length - 1];
      if (open !== undefined && open.depth === depth - 1) {
        templates.pop();
        depth--;
        i++;
        templatePart(open.line, open.text);
        continue;
      }
      depth--;
    }
    if (c !== '(' || prevWord !== 'import') prevWord = '';
    prev = /[0-9]/.test(c) ? 'a' : c;
    i++;
  }
  return { literals, imports };
}

/** Words that make a literal SQL; prose ("moved from accounts") has none of them. */
const SQL_VERB = /\b(select|insert|update|delete|with|copy|create|alter|truncate|drop|lock)\b/i;
/** A table named after a keyword; `from` also takes a comma list (`from sims s, sim_imsis i`). */
const TABLE_AFTER =
  /\b(from|join|into|update|table|copy)\s+(?:only\s+)?(?:"?public"?\.)?"?([A-Za-z_][A-Za-z0-9_]*)"?((?:\s+(?:as\s+)?[a-z_][a-z0-9_]*)?(?:\s*,\s*"?[A-Za-z_][A-Za-z0-9_]*"?(?:\s+(?:as\s+)?[a-z_][a-z0-9_]*)?)*)/gi;
const NOT_ALIAS =
  /^(where|on|join|left|right|inner|full|cross|natural|using|group|order|limit|set|returning|union|select|values|lateral|for|having|window|offset|except|intersect|as)$/i;

/** The known tables a literal names as SQL, with the line of each (a table's name is lower case: `SIMs` is prose). */
export function sqlTables(lit: Literal, owners: Owners): { table: string; line: number; keyword: string }[] {
  if (!SQL_VERB.test(lit.text)) return [];
  const found: { table: string; line: number; keyword: string }[] = [];
  const lineAt = (offset: number) => lit.line + (lit.text.slice(0, offset).match(/\n/g)?.length ?? 0);
  for (const m of lit.text.matchAll(TABLE_AFTER)) {
    const keyword = m[1]!.toLowerCase();
    const names = [m[2]!];
    if (keyword === 'from' && m[3]) {
      for (const part of m[3].split(',').slice(1)) {
        const name = /^\s*"?([A-Za-z_][A-Za-z0-9_]*)/.exec(part)?.[1];
        if (name && !NOT_ALIAS.test(name)) names.push(name);
      }
    }
    for (const table of names) if (owners.has(table)) found.push({ table, line: lineAt(m.index), keyword });
  }
  return found;
}

export type Reference = {
  file: string;
  line: number;
  from: string;
  to: string;
  /** A table name (SQL) or the repo-relative path of the imported file. */
  what: string;
  how: string;
};

/** The repo-relative file an import specifier names, when it is another module's repo or tables file. */
function importTarget(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
  return /\.(repo|tables)\.ts$/.test(target) ? target : undefined;
}

/** Every reference of a file to another module's tables or repo/tables files. */
export function references(file: SourceFile, owners: Owners): Reference[] {
  const from = moduleOf(file.path);
  if (from === undefined || from === 'platform') return [];
  const out: Reference[] = [];
  const code = lex(file.text);
  for (const imp of code.imports) {
    const target = importTarget(file.path, imp.spec);
    const to = target === undefined ? undefined : moduleOf(target);
    if (target !== undefined && to !== undefined && to !== from && to !== 'platform' && to !== 'cli')
      out.push({ file: file.path, line: imp.line, from, to, what: target, how: 'import' });
  }
  for (const lit of code.literals)
    for (const t of sqlTables(lit, owners)) {
      const to = owners.get(t.table)!;
      if (to !== from && to !== 'platform')
        out.push({ file: file.path, line: t.line, from, to, what: t.table, how: `SQL ${t.keyword}` });
    }
  return out;
}

export type AllowEntry = { from: string; to: string | string[]; files: string[]; what: string[]; reason: string };
export type AllowList = {
  tables?: { table: string; owner: string; reason: string }[];
  allow: AllowEntry[];
};

/** Reads the allow-list's shape; every problem is named (it is hand-edited). */
export function parseAllowList(raw: unknown): { list: AllowList; errors: string[] } {
  const errors: string[] = [];
  const list: AllowList = { tables: [], allow: [] };
  const o = raw as Partial<AllowList> | null;
  if (!o || !Array.isArray(o.allow)) return { list, errors: ['the allow-list needs an "allow" array'] };
  const text = (v: unknown) => typeof v === 'string' && v.trim().length > 0;
  for (const [i, t] of (o.tables ?? []).entries()) {
    if (!text(t.table) || !text(t.owner) || !text(t.reason)) errors.push(`tables[${i}] needs table, owner and reason`);
    else list.tables!.push(t);
  }
  for (const [i, e] of o.allow.entries()) {
    const to = typeof e.to === 'string' ? [e.to] : e.to;
    if (
      !text(e.from) ||
      !Array.isArray(to) ||
      !to.every(text) ||
      !Array.isArray(e.files) ||
      e.files.length === 0 ||
      !Array.isArray(e.what) ||
      e.what.length === 0 ||
      !text(e.reason)
    )
      errors.push(`allow[${i}] needs from, to, files (non-empty), what (non-empty) and reason`);
    else list.allow.push(e);
  }
  return { list, errors };
}

const toList = (to: string | string[]) => (typeof to === 'string' ? [to] : to);
const entryName = (e: AllowEntry) => `allow-list entry ${e.from} → ${toList(e.to).join(', ')}`;

/**
 * Splits references into allowed (by which entry) and violations, and reports the allow-list's stale parts: an
 * entry none of whose references exist, a listed file or `what` no reference uses, a `to` that is no owner.
 */
export function judge(refs: readonly Reference[], list: AllowList) {
  const allowed: { ref: Reference; entry: AllowEntry }[] = [];
  const violations: Reference[] = [];
  const used = new Map<AllowEntry, { files: Set<string>; what: Set<string>; to: Set<string> }>();
  for (const e of list.allow) used.set(e, { files: new Set(), what: new Set(), to: new Set() });
  for (const ref of refs) {
    const entry = list.allow.find(
      (e) =>
        e.from === ref.from && toList(e.to).includes(ref.to) && e.files.includes(ref.file) && e.what.includes(ref.what),
    );
    if (!entry) {
      violations.push(ref);
      continue;
    }
    allowed.push({ ref, entry });
    const u = used.get(entry)!;
    u.files.add(ref.file);
    u.what.add(ref.what);
    u.to.add(ref.to);
  }
  const stale: string[] = [];
  for (const [e, u] of used) {
    const unused = [
      ...e.files.filter((f) => !u.files.has(f)).map((f) => `file ${f}`),
      ...e.what.filter((w) => !u.what.has(w)).map((w) => `what ${w}`),
      ...toList(e.to)
        .filter((t) => !u.to.has(t))
        .map((t) => `to ${t}`),
    ];
    if (unused.length > 0) stale.push(`${entryName(e)}: allows nothing for ${unused.join(', ')} (remove it)`);
  }
  return { allowed, violations, stale };
}

export const formatReference = (r: Reference) =>
  `${r.file}:${r.line}  ${r.from} → ${r.to}'s ${r.what.endsWith('.ts') ? 'file' : 'table'} ${r.what}  (${r.how})`;
