/**
 * Module boundaries (conventions: "a module reads another's data through that module's service or a declared read
 * model, never its tables"). Fails when a module's code imports another module's `*.repo.ts`/`*.tables.ts` or its SQL
 * names another module's table, unless scripts/boundaries.allow.json lists it with its reason; fails too when the
 * allow-list allows something that no longer happens, and when a table created by migrations/ has no owner.
 * Tests (`*.test.ts`, `*.test-support.ts`, `*.testkit.ts`) are not checked: they arrange and inspect rows across
 * modules on purpose, and no production path runs them. Composition roots (src/*.ts) wire services and are not
 * checked either; src/cli/ is, and may import no module's repo or tables at all (commands go through services).
 *
 *   node scripts/check-boundaries.ts          violations, one per line, exit 1 on any
 *   node scripts/check-boundaries.ts --list   every cross-module read the allow-list permits, by entry
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  formatReference,
  judge,
  migrationTables,
  parseAllowList,
  references,
  type SourceFile,
  tableOwners,
} from './boundaries.ts';

const ALLOW_FILE = 'scripts/boundaries.allow.json';
const isTest = (f: string) => /\.(test|test-support|testkit)\.ts$/.test(f);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.posix.join(dir, d.name);
    return d.isDirectory() ? walk(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}
const read = (p: string): SourceFile => ({ path: p, text: readFileSync(p, 'utf8') });

const errors: string[] = [];
const sources = [...walk('src/modules'), ...walk('src/platform')];
const { owners, errors: ownerErrors } = tableOwners(sources.filter((f) => f.endsWith('.tables.ts')).map(read));
errors.push(...ownerErrors);

const { list, errors: listErrors } = parseAllowList(JSON.parse(readFileSync(ALLOW_FILE, 'utf8')));
errors.push(...listErrors.map((e) => `${ALLOW_FILE}: ${e}`));
for (const t of list.tables ?? []) {
  if (owners.has(t.table))
    errors.push(`${ALLOW_FILE}: table ${t.table} is declared by ${owners.get(t.table)}: remove it from "tables"`);
  owners.set(t.table, t.owner);
}

// Every table the migrations create has an owner (a table without one could be read by anyone unnoticed).
const created = new Set<string>();
for (const f of readdirSync('migrations')
  .filter((f) => f.endsWith('.sql'))
  .sort())
  for (const t of migrationTables(readFileSync(path.posix.join('migrations', f), 'utf8'))) created.add(t);
for (const t of created)
  if (!owners.has(t))
    errors.push(`table ${t} (migrations/) has no owner: declare it in a *.tables.ts or in ${ALLOW_FILE} "tables"`);
for (const t of list.tables ?? [])
  if (!created.has(t.table)) errors.push(`${ALLOW_FILE}: table ${t.table} is created by no migration: remove it`);

const checked = [...walk('src/modules'), ...walk('src/cli')].filter((f) => !isTest(f)).sort();
const refs = checked.flatMap((f) => references(read(f), owners));
const { allowed, violations, stale } = judge(refs, list);
errors.push(...stale.map((s) => `${ALLOW_FILE}: ${s}`));

if (process.argv.includes('--list')) {
  for (const e of list.allow) {
    console.log(`${e.from} → ${[e.to].flat().join(', ')}: ${e.reason}`);
    for (const a of allowed.filter((a) => a.entry === e)) console.log(`  ${formatReference(a.ref)}`);
  }
}
for (const v of violations) console.error(formatReference(v));
for (const e of errors) console.error(e);
if (violations.length > 0)
  console.error(
    `\n${violations.length} cross-module reference(s): go through the owning module's service (or an event); a read ` +
      `model that must read the tables goes into ${ALLOW_FILE} with its reason (docs/ARCHITECTURE.md, "Module boundaries")`,
  );
if (violations.length + errors.length > 0) process.exit(1);
console.log(
  `module boundaries hold: ${checked.length} files, ${owners.size} tables, ${allowed.length} allowed reads in ${list.allow.length} allow-list entries`,
);
