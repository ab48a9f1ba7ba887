/**
 * Which refusals say something about the network, and which only about one SIM. Fleet correlation ("is it us or
 * you?") counts the network's refusals only: a SIM refused for its own plan, state, identity, credentials or limit
 * (EMM #11 on a plan without that network, #8 on a deactivated SIM, ESM #29 after a device swap on an IMEI-locked
 * SIM, #33 past a blocking limit) is explained by that SIM, and a handful of them must not make a PLMN or an APN look
 * failing for everyone else.
 */

/** EMM causes (TS 24.301 §9.9.3.9) a visited or home network gives when it cannot serve anyone there. */
export const NETWORK_EMM_CAUSES: ReadonlySet<number> = new Set([12, 13, 15, 17, 22, 42]);
/** ESM causes (TS 24.301 §9.9.4.4) a gateway gives when it cannot serve the APN: resources, failure, out of order. */
export const NETWORK_ESM_CAUSES: ReadonlySet<number> = new Set([26, 30, 31, 34, 38]);

/** A refusal the fleet counts: a network-side cause, or none given (the network did not say it was the SIM). */
export function countsForFleet(type: string, cause: number | null): boolean {
  if (cause === null || cause < 0) return true;
  if (type === 'attach_rejected') return NETWORK_EMM_CAUSES.has(cause);
  if (type === 'session_rejected') return NETWORK_ESM_CAUSES.has(cause);
  return true;
}

/** The same rule in SQL over a type and a cause column (-1 or null = none given, as the roll-up stores it). */
export const fleetCauseSql = (type = 'type', cause = 'cause') => `(coalesce(${cause}, -1) < 0
  or (${type} = 'attach_rejected' and ${cause} in (${[...NETWORK_EMM_CAUSES].join(', ')}))
  or (${type} = 'session_rejected' and ${cause} in (${[...NETWORK_ESM_CAUSES].join(', ')})))`;
