/**
 * Generated artifacts are committed and must be current (conventions §9):
 *  - migrations/: drizzle-kit would generate nothing new from the tables;
 *  - docs/openapi.json: equals the document the app serves at /openapi.json;
 *  - docs/EVENTS.md: the domain-event catalog, rendered from the event registry (src/events.ts);
 *  - web/src/api/schema.d.ts: the console's typed client, generated from that document by openapi-typescript.
 * `node scripts/check-generated.ts --write` refreshes docs/openapi.json, docs/EVENTS.md and the client types.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { eventRegistry } from '../src/events.ts';
import { openDatabase } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { renderCatalog } from '../src/platform/events/catalog.ts';
import { createLogger } from '../src/platform/log.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { createHttpApp } from '../src/server.ts';
import { buildServices } from '../src/services.ts';

const write = process.argv.includes('--write');
let failed = false;

// 1. Migrations
const tmp = mkdtempSync(path.join(tmpdir(), 'iotops-mig-'));
cpSync('migrations', tmp, { recursive: true });
const before = readdirSync(tmp).length;
execFileSync(
  'npx',
  [
    'drizzle-kit',
    'generate',
    '--dialect',
    'postgresql',
    '--schema',
    './src/{modules/*,platform/**}/*.tables.ts',
    '--out',
    tmp,
  ],
  { stdio: 'pipe' },
);
if (readdirSync(tmp).length !== before) {
  console.error('migrations/ is stale: run `npm run db:generate` and commit the new migration');
  failed = true;
}
rmSync(tmp, { recursive: true, force: true });

// 2. OpenAPI
const config = loadConfig({ LOG_LEVEL: 'silent' });
const database = await openDatabase({ memory: true });
await migrate(database);
const ctx = { config, database, log: createLogger(config), metrics: createMetrics() };
const services = buildServices(ctx);
const app = await createHttpApp(ctx, services);
const doc = `${JSON.stringify(app.swagger(), null, 2)}\n`;
const eventsDoc = renderCatalog(eventRegistry(services));
await app.close();
await database.close();
const file = 'docs/openapi.json';
let committed = '';
try {
  committed = readFileSync(file, 'utf8');
} catch {}
if (write) {
  writeFileSync(file, doc);
  console.log(`${file} written`);
} else if (committed !== doc) {
  console.error(`${file} is stale: run \`node scripts/check-generated.ts --write\` and commit it`);
  failed = true;
}

// 3. The event catalog
const eventsFile = 'docs/EVENTS.md';
let eventsCommitted = '';
try {
  eventsCommitted = readFileSync(eventsFile, 'utf8');
} catch {}
if (write) {
  writeFileSync(eventsFile, eventsDoc);
  console.log(`${eventsFile} written`);
} else if (eventsCommitted !== eventsDoc) {
  console.error(`${eventsFile} is stale: run \`node scripts/check-generated.ts --write\` and commit it`);
  failed = true;
}

// 4. The web console's client types, generated from the document (as it is after --write).
const clientFile = 'web/src/api/schema.d.ts';
const clientTmp = path.join(mkdtempSync(path.join(tmpdir(), 'iotops-client-')), 'schema.d.ts');
execFileSync('npx', ['openapi-typescript', file, '-o', write ? clientFile : clientTmp], { stdio: 'pipe' });
if (!write) {
  let current = '';
  try {
    current = readFileSync(clientFile, 'utf8');
  } catch {}
  if (current !== readFileSync(clientTmp, 'utf8')) {
    console.error(`${clientFile} is stale: run \`npm run gen:client\` (or check:generated -- --write) and commit it`);
    failed = true;
  }
} else console.log(`${clientFile} written`);
rmSync(path.dirname(clientTmp), { recursive: true, force: true });

if (failed) process.exit(1);
console.log('generated artifacts are current');
