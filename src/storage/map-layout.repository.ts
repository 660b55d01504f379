import { type Kysely, sql } from 'kysely';
import type { FocusType, MapLayer } from '../domain/map/model.ts';
import type { LayoutPosition } from '../shared/schemas/map-layout.ts';
import type { Schema } from './schema.ts';

/** A layout's key: the layer and the focus, already normalised (the map route's canonical ids). */
export interface MapLayoutKey {
  layer: MapLayer;
  focusType: FocusType;
  focusId: string;
}

export interface MapLayoutRow {
  positions: Record<string, LayoutPosition>;
  updated_at: string;
  updated_by: string | null;
}

/**
 * Saved map layouts (issue 8): one row per layer and focus, the whole position set in one jsonb
 * value. No foreign key: the focus id is text and may name a device that no longer exists.
 */
export class MapLayoutRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async get(key: MapLayoutKey): Promise<MapLayoutRow | undefined> {
    const { rows } = await sql<MapLayoutRow>`
      SELECT positions, updated_at, updated_by FROM map_layouts
       WHERE layer = ${key.layer} AND focus_type = ${key.focusType} AND focus_id = ${key.focusId}`.execute(this.db);
    return rows[0];
  }

  /** Replaces the layout of this key (or creates it) in one statement. */
  async save(
    key: MapLayoutKey,
    positions: Record<string, LayoutPosition>,
    updatedBy: string | null,
  ): Promise<MapLayoutRow> {
    const { rows } = await sql<MapLayoutRow>`
      INSERT INTO map_layouts (layer, focus_type, focus_id, positions, updated_at, updated_by)
      VALUES (${key.layer}, ${key.focusType}, ${key.focusId}, ${JSON.stringify(positions)}::jsonb, now(), ${updatedBy})
      ON CONFLICT (layer, focus_type, focus_id) DO UPDATE
         SET positions = EXCLUDED.positions, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
      RETURNING positions, updated_at, updated_by`.execute(this.db);
    const row = rows[0];
    if (!row) throw new Error('upsert of a map layout returned no row');
    return row;
  }

  /** True when a layout was there to delete. */
  async delete(key: MapLayoutKey): Promise<boolean> {
    const result = await this.db
      .deleteFrom('map_layouts')
      .where('layer', '=', key.layer)
      .where('focus_type', '=', key.focusType)
      .where('focus_id', '=', key.focusId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
