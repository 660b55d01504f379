import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';

export function openApiOptions(version: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Roller core API',
        version,
        description:
          'The headless REST API of Roller, a self-hosted network tracker and mapper. Core is unauthenticated by design: ' +
          'reach it only through the UI server or from a trusted network. Every non-2xx JSON response is the ' +
          '`{"error":{"code","message","details"}}` envelope.',
      },
      servers: [{ url: '/' }],
      tags: [
        { name: 'service', description: 'Health, readiness and metrics' },
        { name: 'devices', description: 'Device inventory' },
        { name: 'discovery', description: 'Discovery runs, their logs and live events, and schedules' },
        { name: 'data exchange', description: 'Device snapshots (export/import) and NetBox/Nautobot import' },
        { name: 'audit', description: 'The audit trail written by the UI server' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  };
}
