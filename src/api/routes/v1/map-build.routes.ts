import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../../../shared/schemas/common.ts';
import {
  ManualLink,
  ManualLinkCreate,
  ManualLinkIdParams,
  ManualLinkList,
  ManualLinkUpdate,
  ServiceDependency,
  ServiceDependencyCreate,
  ServiceDependencyIdParams,
  ServiceDependencyList,
  ServiceDependencyListQuery,
  ServiceDependencyUpdate,
  Zone,
  ZoneCreate,
  ZoneIdParams,
  ZoneList,
  ZoneMember,
  ZoneMemberAdd,
  ZoneMemberList,
  ZoneMemberParams,
  ZonePolicy,
  ZonePolicyCreate,
  ZonePolicyIdParams,
  ZonePolicyList,
  ZonePolicyListQuery,
  ZonePolicyUpdate,
  ZoneUpdate,
} from '../../../shared/schemas/map-build.ts';
import type { Database } from '../../../storage/database.ts';
import { ManualLinkRepository } from '../../../storage/manual-link.repository.ts';
import { ServiceDependencyRepository } from '../../../storage/service-dependency.repository.ts';
import { ZoneRepository } from '../../../storage/zone.repository.ts';
import { ZonePolicyRepository } from '../../../storage/zone-policy.repository.ts';
import { proxiedActor } from '../../proxied-user.ts';
import { ManualLinkService } from '../../services/manual-link.service.ts';
import { ServiceDependencyService } from '../../services/service-dependency.service.ts';
import { ZoneService } from '../../services/zone.service.ts';

const tags = ['build mode'];
const Deleted = Type.Null({ description: 'Deleted' });

/**
 * Build mode (issue 8 item 2): curated truth an operator writes — manual links, zones with their
 * members, zone policies and service dependencies. Every mutation is audited by the UI server's
 * proxy (ui-server/audit/audit-events.ts); link and zone-membership changes are device history too.
 */
export const mapBuildRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  const links = new ManualLinkService(new ManualLinkRepository(database.db));
  const zones = new ZoneService(new ZoneRepository(database.db), new ZonePolicyRepository(database.db));
  const dependencies = new ServiceDependencyService(new ServiceDependencyRepository(database.db));

  // ---- Manual links ----
  app.get(
    '/manual-links',
    {
      config: { dbErrorMessage: 'failed to list manual links' },
      schema: {
        tags,
        operationId: 'listManualLinks',
        summary: 'Curated links, oldest first',
        response: { 200: ManualLinkList, ...errorResponses(500, 503) },
      },
    },
    async () => links.list(),
  );
  app.post(
    '/manual-links',
    {
      config: { dbErrorMessage: 'failed to create manual link' },
      schema: {
        tags,
        operationId: 'createManualLink',
        summary: 'Curate a cable between two devices (adopts the link discovery already reports for it)',
        body: ManualLinkCreate,
        response: { 201: ManualLink, ...errorResponses(400, 404, 409, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => reply.status(201).send((await links.create(request.body, proxiedActor(request))).link),
  );
  app.get(
    '/manual-links/:id',
    {
      config: { dbErrorMessage: 'failed to fetch manual link' },
      schema: {
        tags,
        operationId: 'getManualLink',
        summary: 'One curated link',
        params: ManualLinkIdParams,
        response: { 200: ManualLink, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => links.get(request.params.id),
  );
  app.patch(
    '/manual-links/:id',
    {
      config: { dbErrorMessage: 'failed to update manual link' },
      schema: {
        tags,
        operationId: 'updateManualLink',
        summary: 'Edit the type, label or notes of a curated link',
        params: ManualLinkIdParams,
        body: ManualLinkUpdate,
        response: { 200: ManualLink, ...errorResponses(400, 404, 413, 415, 500, 503) },
      },
    },
    async (request) => links.update(request.params.id, request.body),
  );
  app.delete(
    '/manual-links/:id',
    {
      config: { dbErrorMessage: 'failed to delete manual link' },
      schema: {
        tags,
        operationId: 'deleteManualLink',
        summary: 'Remove the curation (a cable discovery still reports stays, as a discovered link)',
        params: ManualLinkIdParams,
        response: { 204: Deleted, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await links.delete(request.params.id, proxiedActor(request));
      return reply.status(204).send(null);
    },
  );

  // ---- Zones ----
  app.get(
    '/zones',
    {
      config: { dbErrorMessage: 'failed to list zones' },
      schema: {
        tags,
        operationId: 'listZones',
        summary: 'Zones by name',
        response: { 200: ZoneList, ...errorResponses(500, 503) },
      },
    },
    async () => zones.list(),
  );
  app.post(
    '/zones',
    {
      config: { dbErrorMessage: 'failed to create zone' },
      schema: {
        tags,
        operationId: 'createZone',
        summary: 'Create a zone (the id is derived from the name unless given)',
        body: ZoneCreate,
        response: { 201: Zone, ...errorResponses(400, 409, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await zones.create(request.body)),
  );
  app.get(
    '/zones/:id',
    {
      config: { dbErrorMessage: 'failed to fetch zone' },
      schema: {
        tags,
        operationId: 'getZone',
        summary: 'One zone',
        params: ZoneIdParams,
        response: { 200: Zone, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => zones.get(request.params.id),
  );
  app.patch(
    '/zones/:id',
    {
      config: { dbErrorMessage: 'failed to update zone' },
      schema: {
        tags,
        operationId: 'updateZone',
        summary: 'Rename a zone or change its description or color',
        params: ZoneIdParams,
        body: ZoneUpdate,
        response: { 200: Zone, ...errorResponses(400, 404, 409, 413, 415, 500, 503) },
      },
    },
    async (request) => zones.update(request.params.id, request.body),
  );
  app.delete(
    '/zones/:id',
    {
      config: { dbErrorMessage: 'failed to delete zone' },
      schema: {
        tags,
        operationId: 'deleteZone',
        summary: 'Delete a zone with its memberships and policies',
        params: ZoneIdParams,
        response: { 204: Deleted, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await zones.delete(request.params.id, proxiedActor(request));
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/zones/:id/devices',
    {
      config: { dbErrorMessage: 'failed to list zone devices' },
      schema: {
        tags,
        operationId: 'listZoneDevices',
        summary: 'Devices in a zone, by display name',
        params: ZoneIdParams,
        response: { 200: ZoneMemberList, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => zones.members(request.params.id),
  );
  app.post(
    '/zones/:id/devices/:deviceId',
    {
      config: { dbErrorMessage: 'failed to add zone device', optionalBody: true },
      schema: {
        tags,
        operationId: 'addZoneDevice',
        summary: 'Add a device to a zone (no body, or an empty object)',
        params: ZoneMemberParams,
        body: ZoneMemberAdd,
        response: { 201: ZoneMember, ...errorResponses(400, 404, 409, 413, 415, 500, 503) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await zones.addMember(request.params.id, request.params.deviceId, proxiedActor(request))),
  );
  app.delete(
    '/zones/:id/devices/:deviceId',
    {
      config: { dbErrorMessage: 'failed to remove zone device' },
      schema: {
        tags,
        operationId: 'removeZoneDevice',
        summary: 'Remove a device from a zone',
        params: ZoneMemberParams,
        response: { 204: Deleted, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await zones.removeMember(request.params.id, request.params.deviceId, proxiedActor(request));
      return reply.status(204).send(null);
    },
  );

  // ---- Zone policies ----
  app.get(
    '/zone-policies',
    {
      config: { dbErrorMessage: 'failed to list zone policies' },
      schema: {
        tags,
        operationId: 'listZonePolicies',
        summary: 'Flows between zones, by source zone, destination zone, protocol and ports',
        querystring: ZonePolicyListQuery,
        response: { 200: ZonePolicyList, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => zones.listPolicies(request.query.zone),
  );
  app.post(
    '/zone-policies',
    {
      config: { dbErrorMessage: 'failed to create zone policy' },
      schema: {
        tags,
        operationId: 'createZonePolicy',
        summary: 'Allow (or deny) a flow from one zone to another',
        body: ZonePolicyCreate,
        response: { 201: ZonePolicy, ...errorResponses(400, 404, 409, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await zones.createPolicy(request.body)),
  );
  app.get(
    '/zone-policies/:id',
    {
      config: { dbErrorMessage: 'failed to fetch zone policy' },
      schema: {
        tags,
        operationId: 'getZonePolicy',
        summary: 'One zone policy',
        params: ZonePolicyIdParams,
        response: { 200: ZonePolicy, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => zones.getPolicy(request.params.id),
  );
  app.patch(
    '/zone-policies/:id',
    {
      config: { dbErrorMessage: 'failed to update zone policy' },
      schema: {
        tags,
        operationId: 'updateZonePolicy',
        summary: 'Change a zone policy: omitted keys stay, null clears',
        params: ZonePolicyIdParams,
        body: ZonePolicyUpdate,
        response: { 200: ZonePolicy, ...errorResponses(400, 404, 409, 413, 415, 500, 503) },
      },
    },
    async (request) => zones.updatePolicy(request.params.id, request.body),
  );
  app.delete(
    '/zone-policies/:id',
    {
      config: { dbErrorMessage: 'failed to delete zone policy' },
      schema: {
        tags,
        operationId: 'deleteZonePolicy',
        summary: 'Delete a zone policy',
        params: ZonePolicyIdParams,
        response: { 204: Deleted, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await zones.deletePolicy(request.params.id);
      return reply.status(204).send(null);
    },
  );

  // ---- Service dependencies ----
  app.get(
    '/service-dependencies',
    {
      config: { dbErrorMessage: 'failed to list service dependencies' },
      schema: {
        tags,
        operationId: 'listServiceDependencies',
        summary: 'Dependencies, oldest first, optionally of one device or service',
        querystring: ServiceDependencyListQuery,
        response: { 200: ServiceDependencyList, ...errorResponses(400, 500, 503) },
      },
    },
    async (request) => dependencies.list(request.query),
  );
  app.post(
    '/service-dependencies',
    {
      config: { dbErrorMessage: 'failed to create service dependency' },
      schema: {
        tags,
        operationId: 'createServiceDependency',
        summary: 'Record that one service (or device) depends on another',
        body: ServiceDependencyCreate,
        response: { 201: ServiceDependency, ...errorResponses(400, 404, 409, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await dependencies.create(request.body)),
  );
  app.get(
    '/service-dependencies/:id',
    {
      config: { dbErrorMessage: 'failed to fetch service dependency' },
      schema: {
        tags,
        operationId: 'getServiceDependency',
        summary: 'One dependency',
        params: ServiceDependencyIdParams,
        response: { 200: ServiceDependency, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request) => dependencies.get(request.params.id),
  );
  app.patch(
    '/service-dependencies/:id',
    {
      config: { dbErrorMessage: 'failed to update service dependency' },
      schema: {
        tags,
        operationId: 'updateServiceDependency',
        summary: 'Change the description of a dependency (its ends are fixed)',
        params: ServiceDependencyIdParams,
        body: ServiceDependencyUpdate,
        response: { 200: ServiceDependency, ...errorResponses(400, 404, 413, 415, 500, 503) },
      },
    },
    async (request) => dependencies.update(request.params.id, request.body.description),
  );
  app.delete(
    '/service-dependencies/:id',
    {
      config: { dbErrorMessage: 'failed to delete service dependency' },
      schema: {
        tags,
        operationId: 'deleteServiceDependency',
        summary: 'Delete a dependency',
        params: ServiceDependencyIdParams,
        response: { 204: Deleted, ...errorResponses(400, 404, 500, 503) },
      },
    },
    async (request, reply) => {
      await dependencies.delete(request.params.id);
      return reply.status(204).send(null);
    },
  );
};
