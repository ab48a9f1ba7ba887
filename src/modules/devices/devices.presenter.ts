import type { z } from 'zod';
import type { DeviceWithSim, ModelRow } from './devices.repo.ts';
import type { DEVICE_KINDS, DeviceModelView, DeviceView } from './devices.schemas.ts';

const iso = (d: Date | string) => new Date(d).toISOString();

export const presentModel = (m: ModelRow): z.infer<typeof DeviceModelView> => ({
  id: m.id,
  name: m.name,
  kind: m.kind as (typeof DEVICE_KINDS)[number],
  wearParts: m.wearParts,
  consumables: m.consumables,
  ownerAccountId: m.ownerAccountId,
  maxLinkKbps: m.maxLinkKbps,
  createdAt: iso(m.createdAt),
});

type Metric = { metric: string; ts: Date | string; value: number };
export const presentMetric = (v: Metric) => ({ metric: v.metric, ts: iso(v.ts), value: Number(v.value) });

export function presentDevice(v: {
  device: DeviceWithSim;
  model: ModelRow;
  latest?: Metric[] | undefined;
}): z.infer<typeof DeviceView> {
  const d = v.device;
  return {
    id: d.id,
    externalId: d.externalId,
    name: d.name,
    accountId: d.accountId,
    model: presentModel(v.model),
    iccid: d.iccid,
    linkKbps: d.linkKbps,
    createdAt: iso(d.createdAt),
    ...(v.latest ? { latest: v.latest.map(presentMetric) } : {}),
  };
}
