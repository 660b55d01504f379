import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorEnvelope, errorResponses } from '../../../shared/schemas/common.ts';
import {
  SnapshotDocument,
  SnapshotExportQuery,
  SnapshotImportBody,
  SnapshotImportResult,
  snapshotJsonSchema,
} from '../../../shared/schemas/snapshot.ts';
import type { Database } from '../../../storage/database.ts';
import { SnapshotRepository } from '../../../storage/snapshot.repository.ts';
import { type ExportFormat, SnapshotService } from '../../services/snapshot.service.ts';

const tags = ['data exchange'];

/** Snapshots can be far larger than the 1 MiB every other body is held to (docs/data-exchange.md). */
export const SNAPSHOT_IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

const exportResponses = {
  200: {
    description: 'The snapshot, streamed: JSON (the versioned document) or CSV (one row per device)',
    headers: { 'content-disposition': { type: 'string', description: 'attachment; filename="roller-devices-….json"' } },
    content: {
      'application/json': { schema: SnapshotDocument },
      'text/csv': { schema: Type.String() },
    },
  },
};

export const dataExchangeRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  const snapshots = new SnapshotService(new SnapshotRepository(database.db));

  const stream = async (format: ExportFormat, reply: import('fastify').FastifyReply) => {
    const chunks = snapshots.export(format);
    // Read the first page before answering, so a database failure is a normal error envelope.
    const first = await chunks.next();
    async function* all(): AsyncGenerator<string> {
      if (!first.done) yield first.value;
      yield* chunks;
    }
    const date = new Date().toISOString().slice(0, 10);
    reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="roller-devices-${date}.${format}"`);
    return reply.send(Readable.from(all()) as unknown as string);
  };

  app.get(
    '/devices/export',
    {
      config: { dbErrorMessage: 'failed to export devices' },
      schema: {
        tags,
        operationId: 'exportDevices',
        summary: 'Snapshot of every device (JSON document, or CSV with format=csv), streamed',
        querystring: SnapshotExportQuery,
        response: { ...exportResponses, ...errorResponses(400, 500, 503) },
      },
    },
    async (request, reply) => stream((request.query.format ?? 'json') as ExportFormat, reply),
  );

  app.get(
    '/devices/export.csv',
    {
      config: { dbErrorMessage: 'failed to export devices' },
      schema: {
        tags,
        operationId: 'exportDevicesCsv',
        summary: 'Snapshot of every device as CSV, streamed (same as export?format=csv)',
        response: {
          200: { ...exportResponses[200], content: { 'text/csv': { schema: Type.String() } } },
          ...errorResponses(500, 503),
        },
      },
    },
    async (_request, reply) => stream('csv', reply),
  );

  app.get(
    '/devices/export/schema',
    {
      schema: {
        tags,
        operationId: 'getSnapshotSchema',
        summary: 'The JSON Schema of the snapshot document (also published as api/snapshot.schema.json)',
        response: { 200: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema, draft 2020-12' }) },
      },
    },
    async (_request, reply) => reply.send(snapshotJsonSchema()),
  );

  app.post(
    '/devices/import',
    {
      bodyLimit: SNAPSHOT_IMPORT_BODY_LIMIT,
      config: { dbErrorMessage: 'failed to import devices' },
      // The service checks every row and reports every problem at once; the schema documents the shape.
      validatorCompiler: () => () => true,
      schema: {
        tags,
        operationId: 'importDevices',
        summary: 'Import a snapshot in one transaction: all rows are checked first, then all are written or none',
        body: SnapshotImportBody,
        response: {
          200: SnapshotImportResult,
          400: {
            description:
              'validation_failed: invalid json body, or `invalid snapshot` with details.errors = [{index?, path, reason}], every problem of every row',
            content: { 'application/json': { schema: ErrorEnvelope } },
          },
          ...errorResponses(413, 415, 500, 503),
        },
      },
    },
    async (request) => snapshots.import(request.body as unknown),
  );
};
