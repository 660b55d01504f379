import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DiscoveryConfig } from '../../../config/config.ts';
import { errorResponses } from '../../../shared/schemas/common.ts';
import { DeviceIdParams } from '../../../shared/schemas/devices.ts';
import {
  DevicePresenceSettings,
  PresenceSettingsUpdate,
  PresenceTagParams,
  TagPresenceSettings,
  TagPresenceSettingsList,
} from '../../../shared/schemas/presence.ts';
import type { Database } from '../../../storage/database.ts';
import { DeviceRepository } from '../../../storage/device.repository.ts';
import { PresenceSettingsRepository } from '../../../storage/presence-settings.repository.ts';
import { proxiedActor } from '../../proxied-user.ts';
import { PresenceSettingsService } from '../../services/presence-settings.service.ts';

const tags = ['presence'];
const Deleted = Type.Null({ description: 'Deleted, or nothing was stored' });

/**
 * Presence thresholds per device and per tag (issue 11, docs/discovery.md#presence). The global
 * values (PRESENCE_MISSED_SCANS, PRESENCE_GRACE) are what a device inherits when nothing is stored.
 */
export const presenceRoutes: FastifyPluginAsyncTypebox<{ database: Database; discovery: DiscoveryConfig }> = async (
  app,
  { database, discovery },
) => {
  const service = new PresenceSettingsService(
    new PresenceSettingsRepository(database.db),
    new DeviceRepository(database.db),
    { missedScans: discovery.presence.missedScans, graceS: Math.round(discovery.presence.graceMs / 1000) },
  );

  app.get(
    '/devices/:id/presence-settings',
    {
      config: { dbErrorMessage: 'failed to load presence settings' },
      schema: {
        tags,
        operationId: 'getDevicePresenceSettings',
        summary: "A device's presence thresholds: its override and the values that apply",
        params: DeviceIdParams,
        response: { 200: DevicePresenceSettings, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => service.device(request.params.id),
  );
  app.put(
    '/devices/:id/presence-settings',
    {
      config: { dbErrorMessage: 'failed to save presence settings' },
      schema: {
        tags,
        operationId: 'putDevicePresenceSettings',
        summary: "Replace a device's presence override (omitted or null values inherit)",
        params: DeviceIdParams,
        body: PresenceSettingsUpdate,
        response: { 200: DevicePresenceSettings, ...errorResponses(400, 404, 413, 415, 500, 503) },
      },
    },
    async (request) => service.saveDevice(request.params.id, request.body, proxiedActor(request)),
  );
  app.delete(
    '/devices/:id/presence-settings',
    {
      config: { dbErrorMessage: 'failed to save presence settings' },
      schema: {
        tags,
        operationId: 'deleteDevicePresenceSettings',
        summary: "Forget a device's presence override (it inherits again)",
        params: DeviceIdParams,
        response: { 204: Deleted, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await service.deleteDevice(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/presence/tag-settings',
    {
      config: { dbErrorMessage: 'failed to load presence settings' },
      schema: {
        tags,
        operationId: 'listTagPresenceSettings',
        summary: 'Every tag with a stored presence override',
        response: { 200: TagPresenceSettingsList, ...errorResponses(500, 503) },
      },
    },
    async () => service.tags(),
  );
  app.get(
    '/presence/tag-settings/:tag',
    {
      config: { dbErrorMessage: 'failed to load presence settings' },
      schema: {
        tags,
        operationId: 'getTagPresenceSettings',
        summary: "A tag's presence override and the values a device with only this tag gets",
        params: PresenceTagParams,
        response: { 200: TagPresenceSettings, ...errorResponses(400, 500, 503) },
      },
    },
    async (request) => service.tag(request.params.tag),
  );
  app.put(
    '/presence/tag-settings/:tag',
    {
      config: { dbErrorMessage: 'failed to save presence settings' },
      schema: {
        tags,
        operationId: 'putTagPresenceSettings',
        summary: "Replace a tag's presence override; a device with several tags takes the largest values",
        params: PresenceTagParams,
        body: PresenceSettingsUpdate,
        response: { 200: TagPresenceSettings, ...errorResponses(400, 413, 415, 500, 503) },
      },
    },
    async (request) => service.saveTag(request.params.tag, request.body, proxiedActor(request)),
  );
  app.delete(
    '/presence/tag-settings/:tag',
    {
      config: { dbErrorMessage: 'failed to save presence settings' },
      schema: {
        tags,
        operationId: 'deleteTagPresenceSettings',
        summary: "Forget a tag's presence override",
        params: PresenceTagParams,
        response: { 204: Deleted, ...errorResponses(400, 500, 503) },
      },
    },
    async (request, reply) => {
      await service.deleteTag(request.params.tag);
      return reply.status(204).send(null);
    },
  );
};
