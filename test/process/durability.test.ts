import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type Backend, describeEachBackend, type TestDatabase } from '../support/backends.ts';
import {
  baseUrlFor,
  freePort,
  makeTempDir,
  registerProcessCleanup,
  requestJson,
  spawnRoller,
  waitForReady,
} from '../support/process.ts';

registerProcessCleanup();

interface Device {
  id: string;
  display_name?: string;
  metadata?: { owner?: string; location?: string; notes?: string };
  last_change_at: string;
  created_at: string;
  [key: string]: unknown;
}

/** Where a backend keeps its data between the two processes. */
interface Storage {
  env: Record<string, string>;
  /** The PGlite data directory, when the backend is PGlite. */
  dataDir: string | undefined;
  dispose(): Promise<void>;
}

async function storageFor(backend: Backend): Promise<Storage> {
  if (backend.kind === 'pglite') {
    const dataDir = join(makeTempDir('roller-durability-'), 'data');
    return { env: { ROLLER_DATA_DIR: dataDir }, dataDir, dispose: async () => {} };
  }
  const database: TestDatabase = await backend.fresh();
  if (!database.url) throw new Error('the PostgreSQL backend gave no URL');
  return { env: { DATABASE_URL: database.url }, dataDir: undefined, dispose: () => database.dispose() };
}

const CREATED = [
  { display_name: 'core-switch-01', metadata: { owner: 'netops', location: 'rack A1', notes: 'uplink to ISP' } },
  {
    display_name: 'Drucker 2. OG',
    metadata: { owner: 'Jürgen Ölmann', location: 'Büro 2.14', notes: 'Toner: "XL" 🖨' },
  },
  { display_name: 'nas', metadata: { owner: 'backup team', location: 'basement', notes: 'line 1\nline 2\ttabbed' } },
  {
    display_name: "o'reilly-laptop",
    metadata: { owner: "O'Reilly", location: 'home office', notes: '50% done; \\ ok' },
  },
  { display_name: 'camera-gate', metadata: { owner: 'facility', location: 'gate', notes: 'PoE port 12' } },
  { display_name: null, metadata: { owner: 'nobody', location: null, notes: '  padded  ' } },
];

/** Merge-semantics updates: omitted keys stay, null clears. Keyed by index into CREATED. */
const UPDATES: [number, Record<string, unknown>][] = [
  [0, { metadata: { notes: 'uplink moved to port 48' } }],
  [1, { display_name: 'printer-2nd-floor' }],
  [2, { metadata: { location: null, owner: 'storage team' } }],
  [3, { display_name: null, metadata: null }],
  [0, { metadata: { location: 'rack B7' } }],
];

describeEachBackend('durability across SIGKILL', (backend) => {
  it('keeps every acknowledged device write after the process is killed and restarted', async () => {
    const storage = await storageFor(backend);
    try {
      const port = await freePort();
      const url = baseUrlFor(port);
      const first = spawnRoller(['core'], { env: { ...storage.env, HTTP_ADDR: `127.0.0.1:${port}` } });
      await waitForReady(first, url);

      // The model of what must survive: built from the request bodies alone, then compared with
      // what the API acknowledged.
      type Fields = {
        display_name: string | null;
        owner: string | null;
        location: string | null;
        notes: string | null;
      };
      const model: Fields[] = [];
      const acknowledged = new Map<string, Device>();
      const ids: string[] = [];
      for (const body of CREATED) {
        const created = await requestJson<Device>(url, 'POST', '/api/v1/devices', body);
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        ids.push(created.body.id);
        acknowledged.set(created.body.id, created.body);
        const trim = (value: string | null): string | null => (value === null ? null : value.trim() || null);
        model.push({
          display_name: body.display_name,
          owner: trim(body.metadata.owner),
          location: trim(body.metadata.location),
          notes: trim(body.metadata.notes),
        });
      }
      for (const [index, body] of UPDATES) {
        const id = ids[index] as string;
        const updated = await requestJson<Device>(url, 'PUT', `/api/v1/devices/${id}`, body);
        expect(updated.status, JSON.stringify(updated.body)).toBe(200);
        acknowledged.set(id, updated.body);
        const fields = model[index] as Fields;
        if ('display_name' in body) fields.display_name = body.display_name as string | null;
        if (body.metadata === null) Object.assign(fields, { owner: null, location: null, notes: null });
        else if (body.metadata) Object.assign(fields, body.metadata);
      }
      ids.forEach((id, index) => {
        expect(fieldsOf(acknowledged.get(id) as Device), `device ${index} as acknowledged`).toEqual(model[index]);
      });

      // Kill without any chance to flush or clean up, right after the last acknowledged write.
      const killed = await first.kill('SIGKILL');
      expect(killed.signal).toBe('SIGKILL');
      if (storage.dataDir) {
        const lock = join(storage.dataDir, 'roller.lock');
        expect(existsSync(lock), 'the killed process leaves its lock file behind').toBe(true);
        expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(first.pid);
      }

      const secondPort = await freePort();
      const secondUrl = baseUrlFor(secondPort);
      const second = spawnRoller(['core'], { env: { ...storage.env, HTTP_ADDR: `127.0.0.1:${secondPort}` } });
      await waitForReady(second, secondUrl);
      await second.waitForLog('core listening');
      expect(second.logsWithMessage('migration applied'), 'the restart finds the schema already migrated').toEqual([]);
      if (storage.dataDir) {
        const lock = JSON.parse(readFileSync(join(storage.dataDir, 'roller.lock'), 'utf8'));
        expect(lock.pid, 'the restarted process took over the stale lock').toBe(second.pid);
      }

      for (const [index, id] of ids.entries()) {
        const fetched = await requestJson<Device>(secondUrl, 'GET', `/api/v1/devices/${id}`);
        expect(fetched.status).toBe(200);
        expect(fetched.body, `device ${index} after restart`).toEqual(acknowledged.get(id));
        expect(fieldsOf(fetched.body)).toEqual(model[index]);
      }
      const list = await requestJson<{ devices: Device[]; cursor?: string }>(
        secondUrl,
        'GET',
        '/api/v1/devices?limit=200',
      );
      expect(list.status).toBe(200);
      expect(list.body.cursor).toBeUndefined();
      const byId = (a: Device, b: Device): number => a.id.localeCompare(b.id);
      expect([...list.body.devices].sort(byId)).toEqual([...acknowledged.values()].sort(byId));

      await second.kill('SIGTERM');
      expect(second.exitResult?.code).toBe(0);
    } finally {
      await storage.dispose();
    }
  }, 180_000);
});

function fieldsOf(device: Device): Record<string, string | null> {
  return {
    display_name: device.display_name ?? null,
    owner: device.metadata?.owner ?? null,
    location: device.metadata?.location ?? null,
    notes: device.metadata?.notes ?? null,
  };
}
