import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_IMPORT_BODY_LIMIT } from '../../src/api/routes/v1/data-exchange.routes.ts';
import { EXPORT_PAGE_SIZE } from '../../src/api/services/snapshot.service.ts';
import { snapshotJsonSchema } from '../../src/shared/schemas/snapshot.ts';
import { type Backend, describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

const addFormats = addFormatsImport as unknown as (ajv: Ajv2020) => Ajv2020;
const SCHEMA_PATH = new URL('../../api/snapshot.schema.json', import.meta.url);

interface SnapshotDevice {
  id: string;
  display_name?: string;
  metadata?: Record<string, string>;
  tags?: string[];
  ips?: string[];
  macs?: string[];
  created_at?: string;
}
interface Snapshot {
  format: string;
  version: number;
  exported_at: string;
  devices: SnapshotDevice[];
}
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

/** Deterministic uuid n (v4 shape) so files are reproducible. */
const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const exportJson = async (core: TestCore) => {
  const response = await core.request({ method: 'GET', url: '/api/v1/devices/export' });
  expect(response.statusCode).toBe(200);
  return { snapshot: response.json() as Snapshot, headers: response.headers };
};
const importBody = (core: TestCore, payload: unknown) =>
  core.json<Counts & Envelope>({ method: 'POST', url: '/api/v1/devices/import', payload: payload as object });
const count = async (core: TestCore, table: 'devices' | 'device_events' | 'device_metadata' | 'ip_addresses') =>
  Number(
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(core.database.db)).rows[0]?.n,
  );

describe('snapshot JSON Schema', () => {
  it('api/snapshot.schema.json is exactly what the TypeBox schema generates (run `npm run snapshot-schema`)', () => {
    expect(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'))).toEqual(snapshotJsonSchema());
  });
});

describeEachBackend('snapshot export and import', (backend: Backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());

  it('exports an empty database as an empty versioned document, and a CSV header', async () => {
    const { snapshot, headers } = await exportJson(core);
    expect(snapshot).toMatchObject({ format: 'roller.devices', version: 1, devices: [] });
    expect(headers['content-disposition']).toMatch(/^attachment; filename="roller-devices-\d{4}-\d\d-\d\d\.json"$/);
    const csv = await core.request({ method: 'GET', url: '/api/v1/devices/export?format=csv' });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toBe('id,display_name,owner,location,notes,tags,ips,macs,created_at\r\n');
    // Importing an empty export is a no-op, not an error.
    expect((await importBody(core, snapshot)).body).toEqual({ created: 0, updated: 0, unchanged: 0 });
  });

  it('serves the published JSON Schema', async () => {
    const served = await core.json({ method: 'GET', url: '/api/v1/devices/export/schema' });
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  });

  it('rejects an unknown format with 400', async () => {
    const bad = await core.json<Envelope>({ method: 'GET', url: '/api/v1/devices/export?format=xml' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed', message: 'invalid format value' });
  });
});

describeEachBackend('snapshot import: validation, idempotency, overwrite, all or nothing', (backend: Backend) => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore(backend);
  });
  afterAll(() => core.close());

  it('reports every invalid row with its index, path and reason, and changes nothing', async () => {
    const rows = [
      { id: uuid(1), display_name: 'fine' },
      { id: 'not-a-uuid', display_name: 'bad id' },
      { id: uuid(3), colour: 'blue', display_name: 42 },
      { id: uuid(4), tags: ['switch', 'toaster'], ips: ['10.0.0.1', '10.0.0.300'], macs: ['zz:zz'] },
      { id: uuid(1), display_name: 'duplicate' },
      'not an object',
    ];
    const response = await importBody(core, { format: 'roller.devices', version: 1, devices: rows });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.message).toBe('invalid snapshot');
    const errors = response.body.error.details?.errors as { index?: number; path: string; reason: string }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        { index: 1, path: '/id', reason: 'must match format "uuid"' },
        { index: 2, path: '', reason: 'unknown field "colour"' },
        expect.objectContaining({ index: 2, path: '/display_name' }),
        { index: 3, path: '/tags', reason: 'unknown tag "toaster"' },
        { index: 3, path: '/ips/1', reason: '"10.0.0.300" is not an IP address' },
        { index: 3, path: '/macs/0', reason: '"zz:zz" is not a MAC address' },
        { index: 4, path: '/id', reason: 'duplicate id (also row 0)' },
        expect.objectContaining({ index: 5, path: '' }),
      ]),
    );
    expect(new Set(errors.map((error) => error.index))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(await count(core, 'devices')).toBe(0);
  });

  it('reports document-level problems (format, version, unknown keys, shape)', async () => {
    const wrong = await importBody(core, { format: 'other', version: 2, devices: [], extra: true });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details?.errors).toEqual([
      { path: '/extra', reason: 'unknown field "extra"' },
      { path: '/format', reason: 'unsupported format "other" (expected "roller.devices")' },
      { path: '/version', reason: 'unsupported version 2 (this Roller reads version 1)' },
    ]);
    const scalar = await core.json<Envelope>({
      method: 'POST',
      url: '/api/v1/devices/import',
      payload: '"devices"',
      headers: { 'content-type': 'application/json' },
    });
    expect(scalar.status).toBe(400);
    expect(scalar.body.error.details?.errors).toEqual([
      { path: '', reason: 'expected the snapshot document, an array of devices, or {"devices": […]}' },
    ]);
    const malformed = await core.json<Envelope>({
      method: 'POST',
      url: '/api/v1/devices/import',
      payload: '{"devices": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toBe('invalid json body');
  });

  it('accepts the bare array (the old export, effective tags become manual) and the {devices} wrapper', async () => {
    const bare = await importBody(core, [
      { id: uuid(10), display_name: 'old-export', tags: ['Printer'], metadata: { owner: ' Ops ' } },
    ]);
    expect(bare.body).toEqual({ created: 1, updated: 0, unchanged: 0 });
    const wrapped = await importBody(core, { devices: [{ display_name: 'no id yet' }, { id: uuid(10) }] });
    expect(wrapped.body).toEqual({ created: 1, updated: 1, unchanged: 0 });
    const device = await core.json<{ display_name?: string; tags?: string[]; metadata?: unknown }>({
      method: 'GET',
      url: `/api/v1/devices/${uuid(10)}`,
    });
    // The file is the truth for what it carries: the second import had no name, metadata or tags.
    expect(device.body.display_name).toBeUndefined();
    expect(device.body.metadata).toBeUndefined();
    expect(device.body.tags).toBeUndefined();
  });

  it('creates unknown ids with that id, overwrites known ones, records events, and is idempotent', async () => {
    const created = await core.json<{ id: string }>({
      method: 'POST',
      url: '/api/v1/devices',
      payload: { display_name: 'curated', metadata: { owner: 'Alice', location: 'Rack 1' } },
    });
    const existing = created.body.id;
    await core.request({ method: 'PUT', url: `/api/v1/devices/${existing}/tags`, payload: { tags: ['server'] } });
    const file = {
      format: 'roller.devices',
      version: 1,
      exported_at: '2026-11-01T00:00:00Z',
      devices: [
        {
          id: existing,
          display_name: 'from-file',
          metadata: { owner: 'Bob' },
          tags: ['nas'],
          ips: ['10.9.0.5/24'],
          macs: ['00-1B-21-AA-BB-CC'],
        },
        {
          id: uuid(20),
          display_name: 'new-one',
          created_at: '2025-01-02T03:04:05.123456Z',
          ips: ['2001:DB8::0:5'],
          tags: ['router'],
        },
      ],
    };
    const first = await importBody(core, file);
    expect(first.body).toEqual({ created: 1, updated: 1, unchanged: 0 });

    const updated = await core.json<Record<string, unknown>>({ method: 'GET', url: `/api/v1/devices/${existing}` });
    expect(updated.body).toMatchObject({ display_name: 'from-file', metadata: { owner: 'Bob' }, tags: ['nas'] });
    expect(updated.body.metadata).toEqual({ owner: 'Bob' });
    const fresh = await core.json<Record<string, unknown>>({ method: 'GET', url: `/api/v1/devices/${uuid(20)}` });
    expect(fresh.body).toMatchObject({ display_name: 'new-one', primary_ip: '2001:db8::5', tags: ['router'] });
    expect(fresh.body.created_at).toBe('2025-01-02T03:04:05.123456Z');

    const { rows: events } = await sql<{ kind: string; actor: string }>`
      SELECT kind, actor FROM device_events WHERE actor = 'import:snapshot' ORDER BY id`.execute(core.database.db);
    const kinds = events.map((event) => event.kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'device_created',
        'display_name_changed',
        'metadata_changed',
        'tag_added',
        'tag_removed',
        'ip_added',
        'mac_added',
      ]),
    );

    const { rows: metadataEvents } = await sql<{ details: unknown }>`
      SELECT details FROM device_events WHERE device_id = ${existing} AND kind = 'metadata_changed'
         AND actor = 'import:snapshot'`.execute(core.database.db);
    expect(metadataEvents.map((event) => event.details)).toEqual([
      { owner: { from: 'Alice', to: 'Bob' }, location: { from: 'Rack 1', to: null } },
    ]);

    const eventsBefore = await count(core, 'device_events');
    const second = await importBody(core, file);
    expect(second.body).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(await count(core, 'device_events')).toBe(eventsBefore);
  });

  it('an import that fails half way (a database constraint on a later batch) leaves nothing behind', async () => {
    // A real constraint the import's validation knows nothing about: the row passes the checks and
    // PostgreSQL rejects it in the third batch, after two batches were already written.
    await sql`ALTER TABLE device_metadata ADD CONSTRAINT test_owner_not_boom CHECK (owner IS DISTINCT FROM 'boom')`.execute(
      core.database.db,
    );
    try {
      const existing = (
        await core.json<{ id: string }>({
          method: 'POST',
          url: '/api/v1/devices',
          payload: { display_name: 'keep me' },
        })
      ).body.id;
      const devicesBefore = await count(core, 'devices');
      const eventsBefore = await count(core, 'device_events');
      const metadataBefore = await count(core, 'device_metadata');
      const ipsBefore = await count(core, 'ip_addresses');
      const sequence = async () =>
        Number(
          (await sql<{ n: number }>`SELECT last_value AS n FROM device_events_id_seq`.execute(core.database.db)).rows[0]
            ?.n,
        );
      const sequenceBefore = await sequence();
      const rows: Record<string, unknown>[] = [{ id: existing, display_name: 'renamed', metadata: { owner: 'x' } }];
      for (let n = 1; n <= 2 * 1000 + 200; n++) {
        rows.push({ id: uuid(100_000 + n), display_name: `bulk-${n}`, ips: [`10.50.${n >> 8}.${n & 255}`] });
      }
      const failing = 2150;
      rows[failing] = { ...rows[failing], metadata: { owner: 'boom' } };
      const response = await importBody(core, rows);
      expect(response.status).toBe(500);
      expect(response.body.error).toEqual({ code: 'db_error', message: 'failed to import devices' });

      // Sequences are not rolled back: the first two batches really wrote their events, then the
      // third batch failed and the whole transaction was undone.
      expect(await sequence()).toBeGreaterThanOrEqual(sequenceBefore + 2 * 1000);
      expect(await count(core, 'devices')).toBe(devicesBefore);
      expect(await count(core, 'device_events')).toBe(eventsBefore);
      expect(await count(core, 'device_metadata')).toBe(metadataBefore);
      expect(await count(core, 'ip_addresses')).toBe(ipsBefore);
      const kept = await core.json<{ display_name?: string; metadata?: unknown }>({
        method: 'GET',
        url: `/api/v1/devices/${existing}`,
      });
      expect(kept.body.display_name).toBe('keep me');
      expect(kept.body.metadata).toBeUndefined();
    } finally {
      await sql`ALTER TABLE device_metadata DROP CONSTRAINT test_owner_not_boom`.execute(core.database.db);
    }
  });

  it('answers 413 above the 64 MiB import limit and 415 for a non-JSON body', async () => {
    const tooBig = await core.json<Envelope>({
      method: 'POST',
      url: '/api/v1/devices/import',
      payload: Buffer.alloc(SNAPSHOT_IMPORT_BODY_LIMIT + 1, 0x20),
      headers: { 'content-type': 'application/json' },
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toEqual({
      code: 'payload_too_large',
      message: 'request body too large',
      details: { limit_bytes: SNAPSHOT_IMPORT_BODY_LIMIT },
    });
    const text = await core.json<Envelope>({
      method: 'POST',
      url: '/api/v1/devices/import',
      payload: 'id,display_name',
      headers: { 'content-type': 'text/csv' },
    });
    expect(text.status).toBe(415);
  });
});

describeEachBackend('snapshot round trip', (backend: Backend) => {
  let source: TestCore;
  let target: TestCore;
  beforeAll(async () => {
    [source, target] = await Promise.all([createTestCore(backend), createTestCore(backend)]);
  });
  afterAll(async () => {
    await Promise.all([source.close(), target.close()]);
  });

  it('export → import into an empty database → export gives the same document (streamed over several pages)', async () => {
    const db = source.database.db;
    // More devices than one export page, with names, metadata, manual tags, and facts.
    const rows = Array.from({ length: EXPORT_PAGE_SIZE + 234 }, (_, n) => ({
      id: uuid(n + 1),
      ...(n % 3 === 0 ? { display_name: `host-${n}, "quoted"` } : {}),
      ...(n % 5 === 0 ? { metadata: { owner: `team ${n % 7}`, notes: `line one\nline two` } } : {}),
      ...(n % 4 === 0 ? { tags: ['server', 'nas'] } : {}),
    }));
    expect((await importBody(source, rows)).body).toMatchObject({ created: rows.length });
    // Discovered facts: device-level and interface-level, current and stale.
    const a = uuid(1);
    const b = uuid(2);
    await sql`INSERT INTO ip_addresses (device_id, ip, source) VALUES (${a}, '10.0.0.10', 'arp'), (${a}, '10.0.0.9', 'arp'),
              (${a}, '2001:db8::1', 'snmp')`.execute(db);
    await sql`INSERT INTO ip_addresses (device_id, ip, source, stale_since) VALUES (${a}, '10.0.0.99', 'arp', now())`.execute(
      db,
    );
    const { rows: ifaces } = await sql<{ id: string }>`
      INSERT INTO interfaces (device_id, name, ifindex) VALUES (${b}, 'eth0', 1) RETURNING id`.execute(db);
    const iface = ifaces[0]?.id as string;
    await sql`INSERT INTO ip_addresses (interface_id, ip, source) VALUES (${iface}, '192.168.1.2', 'snmp')`.execute(db);
    await sql`INSERT INTO mac_addresses (interface_id, mac, source) VALUES (${iface}, '00:1b:21:00:00:02', 'snmp')`.execute(
      db,
    );
    await sql`INSERT INTO mac_addresses (device_id, mac, source) VALUES (${a}, '00:1b:21:00:00:01', 'arp')`.execute(db);
    // An automatic tag is derived by discovery and not carried.
    await sql`INSERT INTO device_tags (device_id, tag, source, confidence) VALUES (${b}, 'router', 'auto', 60)`.execute(
      db,
    );

    const first = (await exportJson(source)).snapshot;
    expect(first.devices).toHaveLength(rows.length);
    expect(first.devices.map((device) => device.id)).toEqual([...first.devices.map((device) => device.id)].sort());
    const deviceA = first.devices.find((device) => device.id === a);
    expect(deviceA).toMatchObject({
      display_name: 'host-0, "quoted"',
      metadata: { owner: 'team 0', notes: 'line one\nline two' },
      tags: ['nas', 'server'],
      ips: ['10.0.0.9', '10.0.0.10', '2001:db8::1'],
      macs: ['00:1b:21:00:00:01'],
    });
    expect(first.devices.find((device) => device.id === b)).toEqual({
      id: b,
      ips: ['192.168.1.2'],
      macs: ['00:1b:21:00:00:02'],
      created_at: expect.any(String),
    });

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
    expect(validate(first), ajv.errorsText(validate.errors)).toBe(true);

    expect((await importBody(target, first)).body).toEqual({ created: rows.length, updated: 0, unchanged: 0 });
    const second = (await exportJson(target)).snapshot;
    const { exported_at: _a, ...firstRest } = first;
    const { exported_at: _b, ...secondRest } = second;
    expect(secondRest).toEqual(firstRest);

    // And importing the export back into where it came from changes nothing.
    expect((await importBody(source, first)).body).toEqual({ created: 0, updated: 0, unchanged: rows.length });
  });

  it('streams CSV with RFC 4180 quoting, at both addresses', async () => {
    const viaQuery = await source.request({ method: 'GET', url: '/api/v1/devices/export?format=csv' });
    const viaPath = await source.request({ method: 'GET', url: '/api/v1/devices/export.csv' });
    expect(viaQuery.statusCode).toBe(200);
    expect(viaPath.body).toBe(viaQuery.body);
    expect(viaPath.headers['content-disposition']).toMatch(/filename="roller-devices-[\d-]+\.csv"$/);
    const lines = viaQuery.body.split('\r\n');
    expect(lines[0]).toBe('id,display_name,owner,location,notes,tags,ips,macs,created_at');
    expect(viaQuery.body).toContain(
      `${uuid(1)},"host-0, ""quoted""",team 0,,"line one\nline two",nas server,10.0.0.9 10.0.0.10 2001:db8::1,00:1b:21:00:00:01,`,
    );
  });
});
