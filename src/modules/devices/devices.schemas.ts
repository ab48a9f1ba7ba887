import { z } from 'zod';
import { WindowQuery } from '../network/network.schemas.ts';

export const DEVICE_KINDS = ['meter', 'tracker', 'router', 'machine', 'vending', 'other'] as const;
const Id = z.number().int().positive();
/** Part and consumable names appear in metric names (`wear_pct.<part>`, `stock_level_pct.<item>`). */
const PartName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, '1–64 letters, digits, dash or underscore (it is part of a metric name)');
/** Link speeds in kbit/s: 1 kbit/s to 100 Gbit/s. */
const Kbps = z.number().int().min(1).max(100_000_000);
const PartList = z
  .array(PartName)
  .max(50)
  .default([])
  .transform((xs) => [...new Set(xs)]);

export const CreateModelBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(DEVICE_KINDS),
    wearParts: PartList.describe('Named wear parts (telemetry wear_pct.<part>)'),
    consumables: PartList.describe('Named consumables (telemetry stock_level_pct.<item>)'),
    ownerAccountId: Id.optional().describe(
      'The account (and its subtree) that may use it; staff may leave it out for a shared model, a customer defaults to its own account',
    ),
    maxLinkKbps: Kbps.optional().describe(
      'The fastest link its hardware carries, kbit/s (capacity: the most an upgrade reaches before new hardware)',
    ),
  })
  .strict()
  .meta({ id: 'CreateDeviceModelRequest' });
export type CreateModelInput = z.infer<typeof CreateModelBody>;

export const UpdateModelBody = z
  .object({
    maxLinkKbps: Kbps.nullable().describe('The fastest link its hardware carries, kbit/s; null: not recorded'),
  })
  .partial()
  .strict()
  .meta({ id: 'UpdateDeviceModelRequest' });
export type UpdateModelInput = z.infer<typeof UpdateModelBody>;

export const DeviceModelView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(DEVICE_KINDS),
    wearParts: z.array(z.string()),
    consumables: z.array(z.string()),
    ownerAccountId: z.number().int().nullable().describe('null = shared by every customer'),
    maxLinkKbps: z.number().int().nullable().describe('The fastest link its hardware carries, kbit/s'),
    createdAt: z.string(),
  })
  .meta({ id: 'DeviceModel' });
export const DeviceModelList = z.object({ items: z.array(DeviceModelView) });

const ExternalId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, "1–128 letters, digits, '.', '_', ':' or '-' (it is an MQTT topic level)");
const Iccid = z.string().trim().min(1).max(40).describe('19 or 20 digits; the SIM must be in the account subtree');

export const CreateDeviceBody = z
  .object({
    externalId: ExternalId.describe("The ingest contract's deviceId (topic iotops/v1/devices/{deviceId}/telemetry)"),
    name: z.string().trim().min(1).max(200).optional(),
    accountId: Id,
    modelId: Id,
    iccid: Iccid.optional(),
    linkKbps: Kbps.optional().describe('Staff only: the link speed the customer has contracted, kbit/s'),
  })
  .strict()
  .meta({ id: 'CreateDeviceRequest' });
export type CreateDeviceInput = z.infer<typeof CreateDeviceBody>;

export const UpdateDeviceBody = z
  .object({
    name: z.string().trim().min(1).max(200).nullable(),
    accountId: Id,
    modelId: Id,
    iccid: Iccid.nullable().describe('null removes the SIM'),
    linkKbps: Kbps.nullable().describe('Staff only: the contracted link speed, kbit/s; null: not recorded'),
  })
  .partial()
  .strict()
  .meta({ id: 'UpdateDeviceRequest' });
export type UpdateDeviceInput = z.infer<typeof UpdateDeviceBody>;

export const ModelIdParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
export const DeviceIdParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export const ListDevicesQuery = z.object({
  accountId: z.coerce.number().int().positive().optional().describe('This account and its subtree'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(100).optional(),
});
export type ListDevicesQuery = z.infer<typeof ListDevicesQuery>;

export const TelemetryQuery = z.object({
  ...WindowQuery,
  metric: z.string().trim().min(1).max(200).optional().describe('One metric (default: all of them)'),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  cursor: z.string().max(500).optional(),
});
export type TelemetryQuery = z.infer<typeof TelemetryQuery>;

const MetricValue = z.object({ metric: z.string(), ts: z.string(), value: z.number() });
export const DeviceView = z
  .object({
    id: z.number().int(),
    externalId: z.string(),
    name: z.string().nullable(),
    accountId: z.number().int(),
    model: DeviceModelView,
    iccid: z.string().nullable().describe('The SIM it carries (20 digits)'),
    linkKbps: z.number().int().nullable().describe('The contracted link speed, kbit/s'),
    createdAt: z.string(),
    latest: z.array(MetricValue).optional().describe('The newest value of each metric (GET one device only)'),
  })
  .meta({ id: 'Device' });
export const DevicePage = z.object({ items: z.array(DeviceView), nextCursor: z.string().nullable() });
export const TelemetryPage = z
  .object({ from: z.string(), to: z.string(), items: z.array(MetricValue), nextCursor: z.string().nullable() })
  .meta({ id: 'TelemetryPage' });
