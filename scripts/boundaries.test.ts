import { describe, expect, it } from 'vitest';
import { judge, lex, migrationTables, parseAllowList, references, sqlTables, tableOwners } from './boundaries.ts';

const owners = new Map([
  ['sims', 'sims'],
  ['sim_imsis', 'sims'],
  ['accounts', 'accounts'],
  ['network_events', 'ingest'],
  ['jobs', 'platform'],
]);
const lit = (text: string) => ({ text, line: 1 });

describe('tableOwners', () => {
  it('maps each pgTable declaration to the module of its file, src/platform to platform', () => {
    const { owners: o, errors } = tableOwners([
      {
        path: 'src/modules/sims/sims.tables.ts',
        text: "export const sims = pgTable(\n  'sims', {});\npgTable('sim_imsis', {})",
      },
      { path: 'src/platform/jobs/jobs.tables.ts', text: "pgTable('jobs', {})" },
    ]);
    expect([...o]).toEqual([
      ['sims', 'sims'],
      ['sim_imsis', 'sims'],
      ['jobs', 'platform'],
    ]);
    expect(errors).toEqual([]);
  });
  it('refuses a table declared by two modules', () => {
    const { errors } = tableOwners([
      { path: 'src/modules/a/a.tables.ts', text: "pgTable('t', {})" },
      { path: 'src/modules/b/b.tables.ts', text: "pgTable('t', {})" },
    ]);
    expect(errors).toEqual(['table t is declared by a and b']);
  });
});

describe('migrationTables', () => {
  it('takes created tables, not partitions, not dropped ones', () => {
    const sql = `CREATE TABLE "a" (x int);\nCREATE TABLE "p" (x int) PARTITION BY RANGE (x);
      CREATE TABLE "p_default" PARTITION OF "p" DEFAULT;\ncreate table if not exists b (y int);\nDROP TABLE "b";`;
    expect([...migrationTables(sql)]).toEqual(['a', 'p']);
  });
});

describe('lex', () => {
  it('finds string and template literals, one per template, with their lines; skips comments', () => {
    const { literals } = lex(
      "// select * from sims\nconst a = 'from accounts';\n/* join sims */ const b = `select \u0024{x} from\n sims where \u0024{`nested`}`;",
    );
    expect(literals).toEqual([
      { text: 'from accounts', line: 2 },
      { text: 'nested', line: 4 },
      { text: 'select ? from\n sims where ?', line: 3 },
    ]);
  });
  it('takes import, export … from and import() specifiers', () => {
    const { imports } = lex(
      "import { a } from '../x/x.repo.ts';\nexport type { B } from './b.ts';\nconst m = await import('../y.tables.ts');\nimport './side.ts';",
    );
    expect(imports.map((i) => [i.spec, i.line])).toEqual([
      ['../x/x.repo.ts', 1],
      ['./b.ts', 2],
      ['../y.tables.ts', 3],
      ['./side.ts', 4],
    ]);
  });
  it('does not read a regex literal or a division as a string', () => {
    const { literals } = lex("const r = /['`]/g; const d = a / b / c; const s = 'x';");
    expect(literals).toEqual([{ text: 'x', line: 1 }]);
  });
});

describe('sqlTables', () => {
  it('finds known tables after from/join/into/update/table/copy, with the line', () => {
    const found = sqlTables(
      {
        text: 'select * from sims s\n join sim_imsis i on true where exists (select 1 from "accounts" a)',
        line: 10,
      },
      owners,
    );
    expect(found).toEqual([
      { table: 'sims', line: 10, keyword: 'from' },
      { table: 'sim_imsis', line: 11, keyword: 'join' },
      { table: 'accounts', line: 11, keyword: 'from' },
    ]);
    expect(sqlTables(lit('insert into network_events select 1'), owners).map((t) => t.table)).toEqual([
      'network_events',
    ]);
    expect(sqlTables(lit('UPDATE sims SET x = 1'), owners).map((t) => t.table)).toEqual(['sims']);
  });
  it('reads a comma list after from', () => {
    expect(sqlTables(lit('select 1 from sims s, accounts a where true'), owners).map((t) => t.table)).toEqual([
      'sims',
      'accounts',
    ]);
  });
  it('ignores columns named like tables, longer names, prose and unknown tables', () => {
    const none = [
      'select s.accounts, sims_count from found f where state = 1', // a column, a CTE
      'select * from network_events_default', // a partition is a whole word of its own
      'Moved from accounts to the new owner', // no SQL verb: prose
      'update SIMs of the account', // upper case: prose
      'select * from sims_archive',
    ];
    for (const t of none) expect(sqlTables(lit(t), owners), t).toEqual([]);
  });
});

describe('references', () => {
  it("flags imports of another module's repo/tables files and SQL on its tables, not its own or platform's", () => {
    const refs = references(
      {
        path: 'src/modules/diagnosis/d.repo.ts',
        text: [
          "import { sims } from '../sims/sims.tables.ts';",
          "import { x } from './diagnosis.tables.ts';",
          "import type { S } from '../sims/sims.service.ts';",
          'const q = `select * from sims join jobs j on true`;',
        ].join('\n'),
      },
      owners,
    );
    expect(refs).toEqual([
      {
        file: 'src/modules/diagnosis/d.repo.ts',
        line: 1,
        from: 'diagnosis',
        to: 'sims',
        what: 'src/modules/sims/sims.tables.ts',
        how: 'import',
      },
      {
        file: 'src/modules/diagnosis/d.repo.ts',
        line: 4,
        from: 'diagnosis',
        to: 'sims',
        what: 'sims',
        how: 'SQL from',
      },
    ]);
  });
  it('holds the CLI to every module', () => {
    const refs = references(
      { path: 'src/cli/trace.ts', text: "import type { Row } from '../modules/network/network.repo.ts';" },
      owners,
    );
    expect(refs.map((r) => [r.from, r.to, r.what])).toEqual([
      ['cli', 'network', 'src/modules/network/network.repo.ts'],
    ]);
  });
});

describe('judge', () => {
  const ref = (file: string, what: string, to = 'ingest') => ({
    file,
    line: 1,
    from: 'network',
    to,
    what,
    how: 'SQL from',
  });
  const entry = {
    from: 'network',
    to: 'ingest',
    files: ['src/modules/network/a.ts', 'src/modules/network/b.ts'],
    what: ['network_events', 'sim_network_state'],
    reason: 'the read side',
  };
  it('allows what an entry lists and reports the rest', () => {
    const r = judge(
      [
        ref('src/modules/network/a.ts', 'network_events'),
        ref('src/modules/network/b.ts', 'sim_network_state'),
        ref('src/modules/network/c.ts', 'network_events'),
        ref('src/modules/network/a.ts', 'sims', 'sims'),
      ],
      { allow: [entry] },
    );
    expect(r.allowed.length).toBe(2);
    expect(r.violations.map((v) => `${v.file} ${v.what}`)).toEqual([
      'src/modules/network/c.ts network_events',
      'src/modules/network/a.ts sims',
    ]);
    expect(r.stale).toEqual([]);
  });
  it('reports an entry, or a part of one, that allows nothing', () => {
    const r = judge([ref('src/modules/network/a.ts', 'network_events')], {
      allow: [{ ...entry, to: ['ingest', 'sims'] }],
    });
    expect(r.stale).toEqual([
      'allow-list entry network → ingest, sims: allows nothing for file src/modules/network/b.ts, what sim_network_state, to sims (remove it)',
    ]);
  });
});

describe('parseAllowList', () => {
  it('names the entries missing a field', () => {
    expect(parseAllowList({ allow: [{ from: 'a', to: 'b', files: [], what: ['t'], reason: 'r' }] }).errors).toEqual([
      'allow[0] needs from, to, files (non-empty), what (non-empty) and reason',
    ]);
    expect(parseAllowList({}).errors).toEqual(['the allow-list needs an "allow" array']);
  });
});
