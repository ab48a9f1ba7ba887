import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentDevice, presentMetric, presentModel } from './devices.presenter.ts';
import {
  CreateDeviceBody,
  CreateModelBody,
  DeviceIdParams,
  DeviceModelList,
  DeviceModelView,
  DevicePage,
  DeviceView,
  ListDevicesQuery,
  ModelIdParams,
  TelemetryPage,
  TelemetryQuery,
  UpdateDeviceBody,
  UpdateModelBody,
} from './devices.schemas.ts';
import type { DevicesService } from './devices.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['devices'];

export function devicesRoutes(devices: DevicesService) {
  return (app: App) => {
    app.post(
      '/api/v1/device-models',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createDeviceModel',
          summary: 'Create a device model',
          description: 'Staff create shared models or models for an account; a customer, for its own accounts.',
          body: CreateModelBody,
          response: { 201: DeviceModelView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(presentModel(await devices.createModel(principalOf(req), req.body))),
    );
    app.get(
      '/api/v1/device-models',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listDeviceModels',
          summary: 'List device models',
          description: 'Those the caller may use: shared ones and those of its accounts.',
          response: { 200: DeviceModelList, ...errors },
        },
      },
      async (req) => ({ items: (await devices.listModels(principalOf(req))).map(presentModel) }),
    );
    app.patch(
      '/api/v1/device-models/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateDeviceModel',
          summary: 'Update a device model',
          description:
            'Its maxLinkKbps (the capacity forecasts stage an upgrade by it). Staff change any model; a customer, ' +
            'those of its own accounts (a shared model or one owned above it answers 403).',
          params: ModelIdParams,
          body: UpdateModelBody,
          response: { 200: DeviceModelView, ...errors },
        },
      },
      async (req) => presentModel(await devices.updateModel(principalOf(req), req.params.id, req.body)),
    );
    app.post(
      '/api/v1/devices',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'createDevice',
          summary: 'Register a device',
          description:
            'Device ids are global (the provider’s namespace): an id registered anywhere answers 409. Telemetry that ' +
            'arrived before the device is adopted when staff register it; a device a customer registers shows only ' +
            'what arrives from its registration on.',
          body: CreateDeviceBody,
          response: { 201: DeviceView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(presentDevice(await devices.create(principalOf(req), req.body))),
    );
    app.get(
      '/api/v1/devices',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listDevices',
          summary: 'List devices',
          description: 'With keyset pagination.',
          querystring: ListDevicesQuery,
          response: { 200: DevicePage, ...errors },
        },
      },
      async (req) => {
        const page = await devices.list(principalOf(req), req.query);
        return { items: page.items.map(presentDevice), nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/api/v1/devices/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getDevice',
          summary: 'Get a device',
          description: 'With the newest value of each metric.',
          params: DeviceIdParams,
          response: { 200: DeviceView, ...errors },
        },
      },
      async (req) => presentDevice(await devices.get(principalOf(req), req.params.id)),
    );
    app.patch(
      '/api/v1/devices/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateDevice',
          summary: 'Update a device',
          description: 'Its name, account, model, SIM or (staff only: 403 for a customer) contracted link speed.',
          params: DeviceIdParams,
          body: UpdateDeviceBody,
          response: { 200: DeviceView, ...errors },
        },
      },
      async (req) => presentDevice(await devices.update(principalOf(req), req.params.id, req.body)),
    );
    app.get(
      '/api/v1/devices/:id/telemetry',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listDeviceTelemetry',
          summary: "List a device's telemetry",
          description: 'The series in a time window, newest first.',
          params: DeviceIdParams,
          querystring: TelemetryQuery,
          response: { 200: TelemetryPage, ...errors },
        },
      },
      async (req) => {
        const r = await devices.telemetry(principalOf(req), req.params.id, req.query);
        return {
          from: r.from.toISOString(),
          to: r.to.toISOString(),
          items: r.items.map(presentMetric),
          nextCursor: r.nextCursor,
        };
      },
    );
  };
}
