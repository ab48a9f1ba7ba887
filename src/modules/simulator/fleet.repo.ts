/**
 * The fleet from iotops's own database: SIMs that would be on the network (ACTIVATED, TEST_READY) with their
 * current IMSI, plan (first APN, SMS/voice, roaming) and the device they sit in. SQL only; read-only.
 */
import type { Database } from '../../platform/db/client.ts';
import { displayIccid } from '../sims/identifiers.ts';
import {
  classByHash,
  type DeviceClass,
  type FleetMember,
  homePlmnOfImsi,
  imeiFor,
  isDeviceClass,
  type Mix,
  roamingPool,
} from './fleet.ts';

type Row = {
  iccid: string;
  imei: string | null;
  labels: string[] | null;
  imsi: string;
  apns: string[] | null;
  data_enabled: boolean | null;
  sms_enabled: boolean | null;
  voice_enabled: boolean | null;
  roaming_plmns: string[] | null;
  roaming_zones: string[] | null;
  external_id: string | null;
  kind: string | null;
  wear_parts: string[] | null;
  consumables: string[] | null;
};

/** What a SIM without a plan asks for: the usual default APN of a data device. */
export const FALLBACK_APN = 'internet';

export type LoadedFleet = { members: FleetMember[]; skippedNoImsi: number; truncated: boolean };

/**
 * Class: the device model's kind; else a SIM label naming a class (the demo labels its SIMs so); else a
 * deterministic pick from the mix by ICCID hash. SIMs without a current IMSI cannot register and are skipped.
 */
export async function loadFleet(
  database: Pick<Database, 'query'>,
  opts: { mix: Mix; seed: number; limit: number },
): Promise<LoadedFleet> {
  const rows = await database.query<Row>(
    `select s.iccid, s.imei, s.labels, i.imsi,
            p.apns, p.data_enabled, p.sms_enabled, p.voice_enabled, p.roaming_plmns, p.roaming_zones,
            d.external_id, m.kind, m.wear_parts, m.consumables
       from sims s
       left join sim_imsis i on i.sim_id = s.id and i.is_current
       left join communication_plans p on p.id = s.communication_plan_id
       left join lateral (select external_id, model_id from devices where sim_id = s.id order by id limit 1) d on true
       left join device_models m on m.id = d.model_id
      where s.state in ('ACTIVATED', 'TEST_READY')
      order by s.iccid
      limit $1`,
    [opts.limit + 1],
  );
  const truncated = rows.length > opts.limit;
  const members: FleetMember[] = [];
  let skippedNoImsi = 0;
  for (const r of rows.slice(0, opts.limit)) {
    if (!r.imsi) {
      skippedNoImsi++;
      continue;
    }
    const iccid = displayIccid(r.iccid);
    const homePlmn = homePlmnOfImsi(r.imsi);
    const label = (r.labels ?? []).find(isDeviceClass);
    const deviceClass: DeviceClass =
      r.kind && isDeviceClass(r.kind) ? r.kind : (label ?? classByHash(opts.mix, iccid, opts.seed));
    const plan = { roamingPlmns: r.roaming_plmns ?? [], roamingZones: r.roaming_zones ?? [] };
    members.push({
      iccid,
      imsi: r.imsi,
      imei: r.imei ?? imeiFor(iccid),
      homePlmn,
      apn: r.apns?.[0] ?? FALLBACK_APN,
      planServices: { data: r.data_enabled ?? true, sms: r.sms_enabled ?? false, voice: r.voice_enabled ?? false },
      deviceClass,
      ...(r.external_id ? { deviceId: r.external_id } : {}),
      wearParts: r.wear_parts ?? [],
      consumables: r.consumables ?? [],
      roamingPlmns: deviceClass === 'tracker' ? roamingPool(plan, homePlmn) : [],
    });
  }
  return { members, skippedNoImsi, truncated };
}
