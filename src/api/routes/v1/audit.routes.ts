import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AuditEventCreate,
  AuditEventCreated,
  AuditEventList,
  AuditEventListQuery,
} from '../../../shared/schemas/audit.ts';
import { errorResponses } from '../../../shared/schemas/common.ts';
import { AuditRepository } from '../../../storage/audit.repository.ts';
import type { Database } from '../../../storage/database.ts';
import { AuditService } from '../../services/audit.service.ts';

const tags = ['audit'];

export const auditRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  const audit = new AuditService(new AuditRepository(database.db));

  app.post(
    '/audit/events',
    {
      config: { dbErrorMessage: 'failed to write audit event' },
      schema: {
        tags,
        operationId: 'recordAuditEvent',
        summary: 'Record an audit event (written by the UI server)',
        body: AuditEventCreate,
        response: { 201: AuditEventCreated, ...errorResponses(400, 413, 415, 500, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await audit.record(request.body)),
  );

  app.get(
    '/audit/events',
    {
      config: { dbErrorMessage: 'failed to list audit events' },
      schema: {
        tags,
        operationId: 'listAuditEvents',
        summary: 'Audit events, newest first, filtered by actor, action, target and time',
        querystring: AuditEventListQuery,
        response: { 200: AuditEventList, ...errorResponses(400, 500, 503) },
      },
    },
    async (request) => audit.list(request.query),
  );
};
