/**
 * What a network action run for a case writes into that case's timeline (internal entries, through the cases
 * service): one when it is requested, one when it is applied or fails. Pure, so the words live in one place.
 */
import { displayIccid } from '../sims/identifiers.ts';
import type { ActionRow } from './network-actions.repo.ts';

type Entry = { body: string; data: Record<string, unknown> };

const what = (a: ActionRow) =>
  `Network action #${a.id} (${a.kind.replaceAll('_', ' ')}) on SIM ${displayIccid(a.iccid)}`;
const facts = (a: ActionRow) => ({ id: a.id, kind: a.kind, iccid: displayIccid(a.iccid), params: a.params });

export function requestedEntry(a: ActionRow): Entry {
  return {
    body: `${what(a)} requested${a.reason ? `: ${a.reason}` : ''}`,
    data: { action: 'network_action_requested', networkAction: { ...facts(a), status: a.status, reason: a.reason } },
  };
}

export function finishedEntry(a: ActionRow): Entry {
  return {
    body: `${what(a)} ${a.status}${a.outcome ? `: ${a.outcome}` : ''}`,
    data: {
      action: a.status === 'applied' ? 'network_action_applied' : 'network_action_failed',
      networkAction: { ...facts(a), status: a.status, outcome: a.outcome },
    },
  };
}
