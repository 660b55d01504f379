import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { InventorySource } from '../../../domain/inventory-payload.ts';
import { errorResponses } from '../../../shared/schemas/common.ts';
import { InventoryImportBody, InventoryImportQuery, InventoryImportResult } from '../../../shared/schemas/inventory.ts';
import type { Database } from '../../../storage/database.ts';
import { InventoryImportRepository } from '../../../storage/inventory-import.repository.ts';
import { InventoryService } from '../../services/inventory.service.ts';

const tags = ['data exchange'];

/** A NetBox or Nautobot device list of a few thousand devices is several MiB. */
export const INVENTORY_IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

const SOURCES: { source: InventorySource; label: string; operationId: string }[] = [
  { source: 'netbox', label: 'NetBox', operationId: 'importNetboxInventory' },
  { source: 'nautobot', label: 'Nautobot', operationId: 'importNautobotInventory' },
];

export const inventoryRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  const inventory = new InventoryService(new InventoryImportRepository(database.db));
  for (const { source, label, operationId } of SOURCES) {
    app.post(
      `/inventory/${source}/import`,
      {
        bodyLimit: INVENTORY_IMPORT_BODY_LIMIT,
        config: { dbErrorMessage: 'failed to import inventory devices' },
        schema: {
          tags,
          operationId,
          summary: `Import ${label} devices (fill-blank only; dry_run=true reports without writing)`,
          querystring: InventoryImportQuery,
          body: InventoryImportBody,
          response: { 200: InventoryImportResult, ...errorResponses(400, 413, 415, 500, 503) },
        },
      },
      async (request) => inventory.import(source, request.body.payload, request.query.dry_run ?? false),
    );
  }
};
