// Presence from scans (issue 11) on real migrations, both backends: sightings per probe, missed scans
// counted per covering run, offline only after N misses AND the grace period, per-device and per-tag
// thresholds, and exactly one event per transition. The lab test drives the same rules through real
// scans (test/lab/presence-lab.test.ts).
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { PresenceSettings, ProbedObservation } from '../../src/domain/presence.ts';
import { EnrichmentRepository } from '../../src/storage/enrichment.repository.ts';
import { FoldRepository } from '../../src/storage/fold.repository.ts';
import { PresenceRepository } from '../../src/storage/presence.repository.ts';
import { PresenceSettingsRepository } from '../../src/storage/presence-settings.repository.ts';
import type { Schema } from '../../src/storage/schema.ts';
import { describeEachBackend, type TestDatabase } from '../support/backends.ts';

const SCOPE = '10.40.0.0/24';
const NOW_ONLY: PresenceSettings = { missedScans: 2, graceS: 0 };

interface EventRow {
  device_id: string;
  kind: string;
  summary: string;
  details: Record<string, unknown>;
  run_id: string | null;
}

describeEachBackend('storage: presence from scans', (backend) => {
  let testDb: TestDatabase;
  let db: Kysely<Schema>;
  let presence: PresenceRepository;

  beforeEach(async () => {
    testDb = await backend.fresh();
    db = testDb.database.db;
    presence = new PresenceRepository(db);
  });
  afterEach(() => testDb.dispose());

  /** A run as a worker leaves it: claimed (started_at) and finished with `status`. */
  async function run(status: 'succeeded' | 'failed' | 'canceled' = 'succeeded', scope: string | null = SCOPE) {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO discovery_runs (status, scope, stats, started_at)
      VALUES ('running', ${scope}, '{}'::jsonb, now()) RETURNING id`.execute(db);
    const id = rows[0]?.id as string;
    return {
      id,
      finish: async () => {
        await sql`UPDATE discovery_runs SET status = ${status}, completed_at = now() WHERE id = ${id}`.execute(db);
      },
    };
  }

  /** One run that sees `observations` (fold), then ends; returns the run id and who missed it. */
  async function scan(observations: ProbedObservation[], scope: string | null = SCOPE, status?: 'failed') {
    const started = await run(status ?? 'succeeded', scope);
    const folded = await new FoldRepository(db).fold(started.id, observations);
    await started.finish();
    const missed = await presence.recordScan(started.id);
    return { runId: started.id, missed, deviceIds: folded.deviceIds };
  }

  const host = (n: number, probes: ProbedObservation['probes'] = ['arp']): ProbedObservation => ({
    ip: `10.40.0.${n}`,
    mac: `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`,
    probes,
  });

  async function deviceOf(ip: string): Promise<string> {
    const { rows } = await sql<{ device_id: string }>`
      SELECT device_id FROM ip_addresses WHERE ip = ${ip}::inet`.execute(db);
    return rows[0]?.device_id as string;
  }

  async function state(id: string) {
    const { rows } = await sql<{ presence: string; presence_missed_scans: number; presence_since: string | null }>`
      SELECT presence, presence_missed_scans, presence_since FROM devices WHERE id = ${id}`.execute(db);
    return rows[0];
  }

  async function events(kinds: string[] = ['came_online', 'went_offline']): Promise<EventRow[]> {
    const { rows } = await sql<EventRow>`
      SELECT device_id, kind, summary, details, run_id FROM device_events
       WHERE kind = ANY(${sql.val(kinds)}::text[]) ORDER BY id`.execute(db);
    return rows;
  }

  it('a device is online as soon as a probe answers, with one came_online event naming the probes', async () => {
    const first = await scan([host(10), host(11, ['icmp', 'arp'])]);
    const a = await deviceOf('10.40.0.10');
    const b = await deviceOf('10.40.0.11');
    expect((await state(a))?.presence).toBe('online');
    expect((await state(b))?.presence).toBe('online');
    const sightings = await sql<{ device_id: string; probe: string; run_id: string }>`
      SELECT device_id, probe, run_id FROM device_sightings ORDER BY device_id, probe`.execute(db);
    expect(sightings.rows.filter((row) => row.device_id === b).map((row) => row.probe)).toEqual(['arp', 'icmp']);
    expect(sightings.rows.every((row) => row.run_id === first.runId)).toBe(true);
    const online = await events();
    expect(online).toHaveLength(2);
    expect(online.find((event) => event.device_id === b)).toMatchObject({
      kind: 'came_online',
      run_id: first.runId,
      summary: 'Online: seen by arp, icmp',
      details: { previous: 'unknown', probes: ['arp', 'icmp'], missed_scans: 0, run_id: first.runId },
    });
    // Seen again: still online, no new event.
    await scan([host(10), host(11)]);
    expect(await events()).toHaveLength(2);
  });

  it('goes offline only after N consecutive missed covering scans, with an event that says why', async () => {
    await scan([host(10), host(11)]);
    const gone = await deviceOf('10.40.0.11');
    const stays = await deviceOf('10.40.0.10');

    const second = await scan([host(10)]);
    expect(second.missed).toEqual([gone]);
    expect(await presence.evaluate(NOW_ONLY)).toEqual([]);
    expect(await state(gone)).toMatchObject({ presence: 'online', presence_missed_scans: 1 });

    const third = await scan([host(10)]);
    expect(third.missed).toEqual([gone]);
    expect(await presence.evaluate(NOW_ONLY)).toEqual([{ deviceId: gone, presence: 'offline', previous: 'online' }]);
    expect(await state(gone)).toMatchObject({ presence: 'offline', presence_missed_scans: 2 });
    expect((await state(stays))?.presence).toBe('online');
    const offline = (await events(['went_offline']))[0];
    expect(offline).toMatchObject({
      device_id: gone,
      run_id: third.runId,
      details: {
        previous: 'online',
        probes: ['arp'],
        missed_scans: 2,
        threshold_scans: 2,
        grace_s: 0,
        run_id: third.runId,
        scope: SCOPE,
      },
    });
    expect(offline?.summary).toMatch(
      /^Went offline: missed 2 scans of 10\.40\.0\.0\/24, last seen \S+ \S+ UTC by arp$/,
    );
    expect(typeof offline?.details.last_seen_at).toBe('string');
    // Judged once: nothing more to record.
    expect(await presence.evaluate(NOW_ONLY)).toEqual([]);
    expect(await events(['went_offline'])).toHaveLength(1);

    // Back: came_online from offline, misses reset.
    const back = await scan([host(10), host(11)]);
    expect(back.missed).toEqual([]);
    expect(await state(gone)).toMatchObject({ presence: 'online', presence_missed_scans: 0 });
    const returned = (await events(['came_online'])).filter((event) => event.device_id === gone).at(-1);
    expect(returned).toMatchObject({
      run_id: back.runId,
      details: { previous: 'offline', probes: ['arp'], missed_scans: 2 },
    });
    expect(returned?.summary).toMatch(/^Back online: seen by arp \(offline since /);
  });

  it('waits for the grace period as well as the missed scans', async () => {
    await scan([host(10), host(11)]);
    const gone = await deviceOf('10.40.0.11');
    await scan([host(10)]);
    await scan([host(10)]);
    const grace: PresenceSettings = { missedScans: 2, graceS: 3600 };
    expect(await presence.evaluate(grace)).toEqual([]);
    expect((await state(gone))?.presence).toBe('online');
    await sql`UPDATE device_sightings SET last_seen_at = now() - interval '2 hours' WHERE device_id = ${gone}`.execute(
      db,
    );
    expect((await presence.evaluate(grace)).map((t) => t.deviceId)).toEqual([gone]);
    // The grace alone is not enough: one miss, long ago, stays online.
    await scan([host(10), host(11)]);
    await scan([host(10)]);
    await sql`UPDATE device_sightings SET last_seen_at = now() - interval '2 hours' WHERE device_id = ${gone}`.execute(
      db,
    );
    expect(await presence.evaluate(grace)).toEqual([]);
    expect(await state(gone)).toMatchObject({ presence: 'online', presence_missed_scans: 1 });
  });

  it('counts nothing for a failed run, a run without scope, a scope that does not cover the device, or twice', async () => {
    await scan([host(10), host(11)]);
    const gone = await deviceOf('10.40.0.11');
    expect((await scan([host(10)], SCOPE, 'failed')).missed).toEqual([]);
    expect((await scan([], null)).missed).toEqual([]);
    expect((await scan([], '10.41.0.0/24')).missed).toEqual([]);
    expect((await scan([host(10)], '10.40.0.10/32')).missed).toEqual([]);
    const covering = await scan([], '10.40.0.11/32');
    expect(covering.missed).toEqual([gone]);
    expect(await presence.recordScan(covering.runId)).toEqual([]);
    expect((await state(gone))?.presence_missed_scans).toBe(1);
    expect(await presence.evaluate(NOW_ONLY)).toEqual([]);
  });

  it('a device no covering scan has judged stays unknown; one that never answers covering scans goes offline', async () => {
    const { rows } = await sql<{
      id: string;
    }>`INSERT INTO devices (display_name) VALUES ('imported') RETURNING id`.execute(db);
    const imported = rows[0]?.id as string;
    await sql`INSERT INTO ip_addresses (device_id, ip, source) VALUES (${imported}, '10.40.0.50', 'import')`.execute(
      db,
    );
    await scan([host(10)], '10.41.0.0/24');
    expect(await presence.evaluate(NOW_ONLY)).toEqual([]);
    expect((await state(imported))?.presence).toBe('unknown');
    await scan([host(10)]);
    await scan([host(10)]);
    expect(await presence.evaluate(NOW_ONLY)).toEqual([
      { deviceId: imported, presence: 'offline', previous: 'unknown' },
    ]);
    const offline = (await events(['went_offline']))[0];
    expect(offline?.summary).toBe('Went offline: missed 2 scans of 10.40.0.0/24, never answered a probe');
  });

  it('judges a device by the addresses it had when the run started, not one it left', async () => {
    // Seen at .11; later seen at .12 only (DHCP), and .11 went stale before the next run.
    await scan([host(10), host(11)]);
    const moving = await deviceOf('10.40.0.11');
    await new FoldRepository(db).fold((await run()).id, [{ ip: '10.40.0.12', mac: host(11).mac, probes: ['arp'] }]);
    await sql`UPDATE ip_addresses SET stale_since = now() - interval '1 minute' WHERE ip = '10.40.0.11'`.execute(db);
    expect((await scan([host(10)], '10.40.0.11/32')).missed).toEqual([]);
    expect((await scan([host(10)], '10.40.0.12/32')).missed).toEqual([moving]);
  });

  it('honours device overrides over tag overrides (the largest of several tags) over the global values', async () => {
    await scan([host(10), host(11), host(12)]);
    const [own, tagged, plain] = await Promise.all(['10.40.0.10', '10.40.0.11', '10.40.0.12'].map(deviceOf));
    const settings = new PresenceSettingsRepository(db);
    await sql`UPDATE devices SET tags = '{printer,camera}' WHERE id IN (${own}, ${tagged})`.execute(db);
    await settings.saveTag('printer', { missedScans: 3, graceS: null }, 'alice');
    await settings.saveTag('camera', { missedScans: 4, graceS: null }, 'alice');
    expect(await settings.saveDevice(own as string, { missedScans: 2, graceS: null }, 'bob')).toBe(true);
    for (let i = 0; i < 3; i++) await scan([]);
    const offline = async () => (await presence.evaluate(NOW_ONLY)).map((t) => t.deviceId).sort();
    expect(await offline()).toEqual([own, plain].sort());
    await scan([]);
    expect(await offline()).toEqual([tagged]);
    const event = (await events(['went_offline'])).find((row) => row.device_id === tagged);
    expect(event?.details).toMatchObject({ threshold_scans: 4, missed_scans: 4 });
  });

  it('records the probe of enrichment answers: open ports and NetBIOS names count, a DNS name does not', async () => {
    const { runId } = await scan([host(10)]);
    const id = await deviceOf('10.40.0.10');
    const enrichment = new EnrichmentRepository(db, runId);
    await enrichment.saveServices(id, {
      scannedTcpPorts: [22],
      open: [{ protocol: 'tcp', port: 22, name: 'ssh', source: 'nmap' }],
    });
    await enrichment.saveNames(id, '10.40.0.10', [
      { source: 'netbios', name: 'BOX', displayName: 'BOX', score: 80, valid: true },
      { source: 'reverse_dns', name: 'box.example', displayName: 'box', score: 80, valid: true },
    ]);
    const { rows } = await sql<{ probe: string }>`
      SELECT probe FROM device_sightings WHERE device_id = ${id} ORDER BY probe`.execute(db);
    expect(rows.map((row) => row.probe)).toEqual(['arp', 'netbios', 'tcp']);
  });

  it('two evaluations at once record one event per transition', async () => {
    await scan(Array.from({ length: 30 }, (_, i) => host(20 + i)));
    await scan([]);
    await scan([]);
    const [a, b] = await Promise.all([
      new PresenceRepository(db).evaluate(NOW_ONLY),
      new PresenceRepository(db).evaluate(NOW_ONLY),
    ]);
    const next = await new PresenceRepository(db).evaluate(NOW_ONLY);
    expect(a.length + b.length + next.length).toBe(30);
    expect(await events(['went_offline'])).toHaveLength(30);
  });
});
