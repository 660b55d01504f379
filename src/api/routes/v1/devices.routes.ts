import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TAXONOMY } from '../../../domain/classification.ts';
import { errorResponses } from '../../../shared/schemas/common.ts';
import {
  Device,
  DeviceCreate,
  DeviceFacts,
  DeviceIdParams,
  DeviceList,
  DeviceListQuery,
  DeviceTagList,
  DeviceTagsUpdate,
  DeviceUpdate,
  NameCandidateList,
  TagTaxonomy,
} from '../../../shared/schemas/devices.ts';
import type { DeviceService } from '../../services/device.service.ts';

const tags = ['devices'];

export const deviceRoutes: FastifyPluginAsyncTypebox<{ devices: DeviceService }> = async (app, { devices }) => {
  app.get(
    '/devices',
    {
      config: { dbErrorMessage: 'failed to list devices' },
      schema: {
        tags,
        operationId: 'listDevices',
        summary: 'Search, filter, sort and page devices',
        querystring: DeviceListQuery,
        response: { 200: DeviceList, ...errorResponses(400, 500, 503) },
      },
    },
    async (request) => devices.list(request.query),
  );

  app.post(
    '/devices',
    {
      config: { dbErrorMessage: 'failed to create device' },
      schema: {
        tags,
        operationId: 'createDevice',
        summary: 'Create a device by hand',
        body: DeviceCreate,
        response: { 201: Device, ...errorResponses(400, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await devices.create(request.body)),
  );

  app.get(
    '/devices/:id',
    {
      config: { dbErrorMessage: 'failed to fetch device' },
      schema: {
        tags,
        operationId: 'getDevice',
        summary: 'One device with its derived fields',
        params: DeviceIdParams,
        response: { 200: Device, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => devices.get(request.params.id),
  );

  app.put(
    '/devices/:id',
    {
      config: { dbErrorMessage: 'failed to update device' },
      schema: {
        tags,
        operationId: 'updateDevice',
        summary: 'Update a device: omitted keys stay, null or blank clears',
        params: DeviceIdParams,
        body: DeviceUpdate,
        response: { 200: Device, ...errorResponses(400, 404, 413, 415, 500, 503) },
      },
    },
    async (request) => devices.update(request.params.id, request.body),
  );

  app.get(
    '/devices/:id/facts',
    {
      config: { dbErrorMessage: 'failed to load device facts' },
      schema: {
        tags,
        operationId: 'getDeviceFacts',
        summary: 'Discovered facts: IPs, MACs, interfaces, services, SNMP, links',
        params: DeviceIdParams,
        response: { 200: DeviceFacts, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => devices.facts(request.params.id),
  );

  app.get(
    '/devices/:id/name-candidates',
    {
      config: { dbErrorMessage: 'failed to list name candidates' },
      schema: {
        tags,
        operationId: 'listDeviceNameCandidates',
        summary: 'Friendly-name hints, best first',
        params: DeviceIdParams,
        response: { 200: NameCandidateList, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => devices.nameCandidates(request.params.id),
  );

  app.get(
    '/devices/:id/tags',
    {
      config: { dbErrorMessage: 'failed to list device tags' },
      schema: {
        tags,
        operationId: 'listDeviceTags',
        summary: 'Auto and manual tags, manual first',
        params: DeviceIdParams,
        response: { 200: DeviceTagList, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => devices.tags(request.params.id),
  );

  app.put(
    '/devices/:id/tags',
    {
      config: { dbErrorMessage: 'failed to update device tags', optionalBody: true },
      schema: {
        tags,
        operationId: 'replaceDeviceTags',
        summary: 'Replace the manual tags (auto tags are untouched)',
        params: DeviceIdParams,
        body: DeviceTagsUpdate,
        response: { 200: DeviceTagList, ...errorResponses(400, 404, 413, 415, 500, 503) },
      },
    },
    async (request) => devices.replaceTags(request.params.id, request.body),
  );

  app.get(
    '/device-tags/taxonomy',
    {
      schema: {
        tags,
        operationId: 'getTagTaxonomy',
        summary: 'Every valid device tag with its label and whether discovery can set it',
        response: { 200: TagTaxonomy },
      },
    },
    async () => TAXONOMY.map((entry) => ({ ...entry })),
  );
};
