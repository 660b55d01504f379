import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';

export function openApiOptions(version: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Roller core API',
        version,
        description:
          'The headless REST API of Roller, a self-hosted network tracker and mapper. Core has no user logins: ' +
          'reach it through the UI server or from a trusted network, and set CORE_API_TOKEN to require a bearer ' +
          'token (see the `bearerAuth` security scheme). Every non-2xx JSON response is the ' +
          '`{"error":{"code","message","details"}}` envelope.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description:
              'Required only when core runs with CORE_API_TOKEN set: then every request but GET/HEAD /healthz, ' +
              '/readyz and /metrics must send `Authorization: Bearer <CORE_API_TOKEN>`, and a missing or wrong ' +
              'token is answered 401 `unauthorized` with `WWW-Authenticate: Bearer realm="roller-core"`. ' +
              '/metrics takes its own token, METRICS_TOKEN, when that is set.',
          },
        },
      },
      // Either no credentials (CORE_API_TOKEN unset) or the bearer token.
      security: [{}, { bearerAuth: [] }],
      tags: [
        { name: 'service', description: 'Health, readiness and metrics' },
        { name: 'devices', description: 'Device inventory' },
        { name: 'discovery', description: 'Discovery runs, their logs and live events, and schedules' },
        { name: 'data exchange', description: 'Device snapshots (export/import) and NetBox/Nautobot import' },
        { name: 'audit', description: 'The audit trail written by the UI server' },
        { name: 'map', description: 'Layer projections of the network around one focus object' },
        { name: 'build mode', description: 'Curated truth: manual links, zones, zone policies, service dependencies' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  };
}
