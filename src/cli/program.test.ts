import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandWord, GROUPS } from './program.ts';

describe('the lazily loaded command line', () => {
  // The help lists the groups from a table, without loading them: the table must say what the modules register.
  it('lists every command as its module registers it', async () => {
    const help = new Help();
    for (const group of GROUPS) {
      const program = new Command('iotops');
      for (const register of await group.load()) register(program);
      expect(program.commands.map((c) => [help.subcommandTerm(c), c.description()])).toEqual(group.commands);
    }
  }, 120_000);

  it('loads the group of the command word only', async () => {
    expect(commandWord(['cases', 'list', '--json'])).toBe('cases');
    expect(commandWord(['help', 'sims'])).toBe('sims');
    expect(commandWord(['--help'])).toBeUndefined();
    const program = await buildProgram(['db', 'migrate']);
    expect(program.commands.map((c) => c.name())).toEqual(['db']);
    expect((await buildProgram(['--help'])).commands.map((c) => c.name())).toEqual(
      GROUPS.flatMap((g) => g.commands.map(([term]) => term.split(' ')[0])),
    );
  }, 120_000);
});
