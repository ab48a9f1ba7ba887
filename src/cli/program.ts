/**
 * The `iotops` command line. Each command group lives in its own module, and loading one pulls in the database,
 * the services and their libraries (seconds on a small machine). So only the group of the command that runs is
 * loaded; `iotops --help` (or no command, or an unknown one) lists the groups from the table below without
 * loading any of them. program.test.ts checks the table against what the modules register.
 */
import { Command, Help } from 'commander';
import { VERSION } from '../version.ts';

type Register = (program: Command) => void;
export type Group = {
  /** The top-level commands the group registers, as the help lists them: [term, description]. */
  commands: Array<[term: string, description: string]>;
  load: () => Promise<Register[]>;
};

// In the order the help lists them (the order they were registered in before they were loaded lazily).
export const GROUPS: Group[] = [
  {
    commands: [
      [
        'serve [options]',
        'Run the desk: HTTP API and docs (PORT, default 8080), the job worker and MQTT ingest (IOTOPS_MQTT_PORT, default 1883, or MQTT_URL)',
      ],
      [
        'start [options]',
        'What `npm start` runs: migrate, seed the demo on an empty database (IOTOPS_DEMO=auto), serve, print logins',
      ],
      ['demo [options]', 'Seed the demo provider into the current (empty) database'],
    ],
    load: async () => [(await import('./serve.ts')).registerServe],
  },
  {
    commands: [['db', 'Database maintenance']],
    load: async () => [(await import('./db.ts')).registerDb],
  },
  {
    commands: [
      ['users', 'Users of the desk'],
      ['tokens', 'API tokens'],
    ],
    load: async () => [(await import('./users.ts')).registerUsers],
  },
  {
    commands: [['sims', 'SIM inventory']],
    load: async () => {
      const [transfer, trace, actions, diagnose] = await Promise.all([
        import('./sims-transfer.ts'),
        import('./sims-trace.ts'),
        import('./sims-actions.ts'),
        import('./sims-diagnose.ts'),
      ]);
      return [
        transfer.registerSimsTransfer,
        trace.registerSimsTrace,
        actions.registerSimsActions,
        diagnose.registerSimsDiagnose,
      ];
    },
  },
  {
    commands: [['plans', 'Communication and rate plans (the catalog)']],
    load: async () => [(await import('./plans.ts')).registerPlans],
  },
  {
    commands: [['cases', 'Service desk cases']],
    load: async () => [(await import('./cases.ts')).registerCases],
  },
  {
    commands: [['alarms', 'Alarms the watches raised (silence, refusals, fleet, rules)']],
    load: async () => [(await import('./alarms.ts')).registerAlarms],
  },
  {
    commands: [
      ['ingest-credentials', 'Credentials of network/telemetry producers (MQTT username + password, or HTTP Bearer)'],
    ],
    load: async () => [(await import('./ingest.ts')).registerIngest],
  },
  {
    commands: [['webhooks', 'Outbound webhook subscriptions and their delivery log']],
    load: async () => [(await import('./webhooks.ts')).registerWebhooks],
  },
  {
    commands: [
      [
        'simulate [options]',
        'Simulate a fleet: contract network events and telemetry over MQTT or HTTP, with injected faults',
      ],
    ],
    load: async () => [(await import('./simulate.ts')).registerSimulate],
  },
];

const nameOf = (term: string) => term.split(' ')[0]!;

/** The command word of argv (`help cases` asks about `cases`); undefined for `--help`, `--version` or nothing. */
export function commandWord(args: string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/** The program with the named command's group loaded, or with every group listed (help only) when none is named. */
export async function buildProgram(args: string[]): Promise<Command> {
  const program = new Command('iotops')
    .description('Operations desk for an IoT connectivity provider')
    .version(VERSION);
  const word = commandWord(args);
  const group = GROUPS.find((g) => g.commands.some(([term]) => nameOf(term) === word));
  if (group) {
    for (const register of await group.load()) register(program);
    return program;
  }
  // Listed, not loaded: these commands only show in the help (and in commander's "did you mean" on a typo).
  const terms = new Map<string, string>();
  for (const g of GROUPS)
    for (const [term, description] of g.commands) {
      program.command(nameOf(term)).description(description);
      terms.set(nameOf(term), term);
    }
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? help.subcommandTerm(cmd) });
  return program;
}
