import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../../storage/database.ts';

/** Placeholder: the routes arrive with issue 5. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async () => {};
