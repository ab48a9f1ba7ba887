/**
 * SIM lifecycle states (Cisco IoT Control Center names) and the transitions that exist, with who may make them.
 * `operator` = the provider's staff (admin, agent); `customer` = the enterprise's own users.
 * Pure data + one function; the service enforces it, the API publishes it (GET /api/v1/sims/lifecycle).
 */
export const SIM_STATES = [
  'INVENTORY',
  'TEST_READY',
  'ACTIVATION_READY',
  'ACTIVATED',
  'DEACTIVATED',
  'RETIRED',
  'PURGED',
  'REPLACED',
] as const;
export type SimState = (typeof SIM_STATES)[number];

export type Actor = 'operator' | 'customer';

type Rule = { to: SimState; by: readonly Actor[]; why: string };

export const TRANSITIONS: Readonly<Record<SimState, readonly Rule[]>> = {
  INVENTORY: [
    { to: 'TEST_READY', by: ['operator'], why: 'ship for device testing' },
    { to: 'ACTIVATION_READY', by: ['operator'], why: 'ship ready to activate on first use' },
    { to: 'ACTIVATED', by: ['operator'], why: 'activate directly' },
    { to: 'RETIRED', by: ['operator'], why: 'never used, withdraw' },
  ],
  TEST_READY: [
    { to: 'ACTIVATION_READY', by: ['operator', 'customer'], why: 'testing done' },
    { to: 'ACTIVATED', by: ['operator', 'customer'], why: 'go live' },
    { to: 'DEACTIVATED', by: ['operator', 'customer'], why: 'stop testing' },
    { to: 'INVENTORY', by: ['operator'], why: 'take back to stock' },
  ],
  ACTIVATION_READY: [
    { to: 'ACTIVATED', by: ['operator', 'customer'], why: 'activate' },
    { to: 'DEACTIVATED', by: ['operator', 'customer'], why: 'stop before use' },
    { to: 'INVENTORY', by: ['operator'], why: 'take back to stock' },
  ],
  ACTIVATED: [
    { to: 'DEACTIVATED', by: ['operator', 'customer'], why: 'suspend service' },
    { to: 'REPLACED', by: ['operator'], why: 'swapped for another SIM' },
  ],
  DEACTIVATED: [
    { to: 'ACTIVATED', by: ['operator', 'customer'], why: 'resume service' },
    { to: 'RETIRED', by: ['operator', 'customer'], why: 'end of life' },
    { to: 'PURGED', by: ['operator'], why: 'remove from the network' },
  ],
  RETIRED: [
    { to: 'PURGED', by: ['operator'], why: 'remove from the network' },
    { to: 'DEACTIVATED', by: ['operator'], why: 'undo a retirement' },
  ],
  REPLACED: [
    { to: 'RETIRED', by: ['operator'], why: 'end of life' },
    { to: 'PURGED', by: ['operator'], why: 'remove from the network' },
  ],
  PURGED: [],
};

export type TransitionCheck = { ok: true } | { ok: false; reason: 'no_such_transition' | 'not_allowed_for_actor' };

export function checkTransition(from: SimState, to: SimState, actor: Actor): TransitionCheck {
  const rule = TRANSITIONS[from].find((r) => r.to === to);
  if (!rule) return { ok: false, reason: 'no_such_transition' };
  if (!rule.by.includes(actor)) return { ok: false, reason: 'not_allowed_for_actor' };
  return { ok: true };
}

export const isSimState = (s: string): s is SimState => (SIM_STATES as readonly string[]).includes(s);
