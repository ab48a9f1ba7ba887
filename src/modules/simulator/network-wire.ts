/** The network actor's wire record and its context (network.ts): the records it emits and whom it tells. */
import type { NetworkEventType, Rat } from '../ingest/contract.ts';
import type { Clearance, GroundTruth } from './faults.ts';
import type { Plmn } from './fleet.ts';

export type { Clearance };

export type NetworkWire = {
  id: string;
  ts: string;
  iccid: string;
  type: NetworkEventType;
  imsi: string;
  imei: string;
  network?: Plmn;
  rat?: Rat;
  apn?: string;
  session_id?: string;
  ip?: string;
  bytes_up?: number;
  bytes_down?: number;
  cause?: number;
  status?: 'delivered' | 'failed';
  seconds?: number;
};

export type NetworkEmit = (e: Omit<NetworkWire, 'id' | 'ts' | 'iccid' | 'imsi'>) => void;
export type Affected = (line: GroundTruth) => void;
export type ActorCtx = {
  seed: number;
  runTag: string;
  start: number;
  affected: Affected;
  cleared: (c: Clearance) => void;
};
