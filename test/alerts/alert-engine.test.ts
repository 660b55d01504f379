import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/domain/alerts/delivery-policy.ts';
import type { Database } from '../../src/storage/database.ts';
import { describeEachBackend, type TestDatabase } from '../support/backends.ts';
import {
  addEvent,
  addRule,
  addWebhook,
  alertsOf,
  alertWorker,
  attemptsOf,
  type Clock,
  deliveriesOf,
  deliverUntil,
  newDevice,
} from './engine-support.ts';
import { closedPort, type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from './receivers.ts';

describeEachBackend('alert engine', (backend) => {
  let test: TestDatabase;
  let db: Database;
  let receiver: HttpReceiver;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(async () => {
    test = await backend.fresh();
    db = test.database;
    receiver.requests.length = 0;
    receiver.failNext(0);
  });
  afterEach(async () => {
    await test.dispose();
  });

  it('raises a new-device alert with the resolved name and vendor and posts a signed webhook', async () => {
    const channel = await addWebhook(db, `${receiver.url}/hook`);
    const rule = await addRule(db, { event: 'new_device', channel_ids: [channel.id] });
    const worker = alertWorker(db);
    const id = await newDevice(db, {
      name: 'nas-01',
      vendor: 'Synology Inc.',
      mac: '00:11:32:aa:bb:cc',
      ip: '10.0.0.9',
    });
    await worker.tick();
    const alerts = await alertsOf(db, rule.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'new_device', status: 'fired', device_id: id });
    expect(alerts[0]?.message).toContain('nas-01');
    expect(alerts[0]?.message).toContain('Synology Inc.');

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0];
    if (!request) throw new Error('no request');
    expect(request.path).toBe('/hook');
    const timestamp = String(request.headers['x-roller-timestamp']);
    const signature = String(request.headers['x-roller-signature']);
    expect(verifyWebhookSignature('test-secret', timestamp, request.body, signature)).toBe(true);
    expect(verifyWebhookSignature('wrong-secret', timestamp, request.body, signature)).toBe(false);
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ kind: 'alert', severity: 'warning' });
    expect(body.alerts[0]).toMatchObject({ event: 'new_device', device_id: id });
    expect(body.alerts[0].details.device).toMatchObject({ name: 'nas-01', vendor: 'Synology Inc.' });
    const [delivery] = await deliveriesOf(db, channel.id);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('starts with the first rule: history recorded before it raises nothing', async () => {
    const worker = alertWorker(db);
    const old = await newDevice(db, { name: 'before' });
    await addEvent(db, old, 'went_offline');
    await worker.tick();
    const rule = await addRule(db, { event: 'device_offline' });
    await worker.tick();
    expect(await alertsOf(db, rule.id)).toHaveLength(0);
    await addEvent(db, old, 'went_offline');
    await worker.tick();
    expect(await alertsOf(db, rule.id)).toHaveLength(1);
  });

  it('waits the configured delay before judging a new device, then uses the name resolved meanwhile', async () => {
    const clock: Clock = { now: new Date() };
    const rule = await addRule(db, { event: 'new_device', new_device_delay_s: 600 });
    const worker = alertWorker(db, clock);
    const id = await newDevice(db, { mac: '00:11:32:aa:bb:01', ip: '10.0.0.10' });
    await worker.tick();
    expect((await alertsOf(db, rule.id)).map((alert) => alert.status)).toEqual(['pending']);
    await sql`UPDATE devices SET display_name = 'printer-2', vendor = 'Brother' WHERE id = ${id}`.execute(db.db);
    clock.now = new Date(Date.now() + 601_000);
    await worker.tick();
    const [alert] = await alertsOf(db, rule.id);
    expect(alert?.status).toBe('fired');
    expect(alert?.title).toBe('New device: printer-2');
    expect(alert?.message).toContain('Brother');
  });

  it('matches filters by tag, subnet, vendor and the watch flag', async () => {
    const tagged = await addRule(db, { event: 'device_offline', filters: { tags: ['server'] } });
    const subnet = await addRule(db, { event: 'device_offline', filters: { subnets: ['10.1.0.0/16'] } });
    const vendor = await addRule(db, { event: 'device_offline', filters: { vendors: ['dell inc.'] } });
    const watched = await addRule(db, { event: 'device_offline', filters: { watched_only: true } });
    const worker = alertWorker(db);
    const a = await newDevice(db, { name: 'a', ip: '10.1.2.3', tags: ['server'], vendor: 'Dell Inc.' });
    const b = await newDevice(db, { name: 'b', ip: '10.2.0.1' });
    await sql`INSERT INTO device_watch (device_id) VALUES (${b})`.execute(db.db);
    await addEvent(db, a, 'went_offline', { last_seen_at: '2026-11-27T00:00:00Z', missed_scans: 3, grace_s: 600 });
    await addEvent(db, b, 'went_offline', {});
    await worker.tick();
    expect((await alertsOf(db, tagged.id)).map((x) => x.device_id)).toEqual([a]);
    expect((await alertsOf(db, tagged.id))[0]?.message).toBe(
      'a (10.1.2.3, Dell Inc.) went offline after 3 missed scans; last seen 2026-11-27T00:00:00Z.',
    );
    expect((await alertsOf(db, subnet.id)).map((x) => x.device_id)).toEqual([a]);
    expect((await alertsOf(db, vendor.id)).map((x) => x.device_id)).toEqual([a]);
    expect((await alertsOf(db, watched.id)).map((x) => x.device_id)).toEqual([b]);
  });

  it('raises one alert per transition: again after a crash and with two engines at once', async () => {
    const rule = await addRule(db, { event: 'device_online' });
    const first = alertWorker(db);
    const second = alertWorker(db);
    const id = await newDevice(db, { name: 'laptop' });
    for (let i = 0; i < 5; i++) await addEvent(db, id, i % 2 === 0 ? 'came_online' : 'went_offline');
    await Promise.all([first.tick(), second.tick(), first.tick()]);
    expect(await alertsOf(db, rule.id)).toHaveLength(3);
    // A pass that crashed after raising but before its cursor moved reads the same events again.
    await sql`UPDATE alert_engine_state SET event_cursor = 0`.execute(db.db);
    await sql`DELETE FROM alert_event_marks`.execute(db.db);
    await first.tick();
    expect(await alertsOf(db, rule.id)).toHaveLength(3);
  });

  it('reports IP changes with the previous address but not the first addresses of a new device', async () => {
    const rule = await addRule(db, { event: 'ip_changed' });
    const worker = alertWorker(db);
    const run = '7d1c9e52-3f0a-4b8e-a6d2-91e4c0b7f3aa';
    await sql`INSERT INTO discovery_runs (id, status) VALUES (${run}, 'succeeded')`.execute(db.db);
    const id = await db.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{
        id: string;
      }>`INSERT INTO devices (display_name) VALUES ('phone') RETURNING id`.execute(trx);
      const deviceId = (rows[0] as { id: string }).id;
      const { recordDeviceEvents } = await import('../../src/storage/device-events.writer.ts');
      await recordDeviceEvents(trx, [
        { deviceId, kind: 'device_created', summary: 'new', runId: run },
        { deviceId, kind: 'ip_added', summary: 'ip', details: { ip: '10.0.0.5' }, runId: run },
      ]);
      return deviceId;
    });
    await worker.tick();
    expect(await alertsOf(db, rule.id)).toHaveLength(0);
    await addEvent(db, id, 'ip_added', { ip: '10.0.0.77' });
    await worker.tick();
    const alerts = await alertsOf(db, rule.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.details).toMatchObject({ ip: '10.0.0.77', previous_ip: '10.0.0.5' });
  });

  it('alerts on a newly opened port and on a failed run', async () => {
    const port = await addRule(db, { event: 'port_opened' });
    const failed = await addRule(db, { event: 'run_failed', severity: 'critical' });
    const worker = alertWorker(db);
    const id = await newDevice(db, { name: 'web' });
    await addEvent(db, id, 'service_opened', { protocol: 'tcp', port: 8443, name: 'https-alt' });
    const { rows } = await sql<{ id: string }>`
      INSERT INTO discovery_runs (id, status, scope, completed_at, last_error)
      VALUES (gen_random_uuid(), 'failed', '10.0.0.0/24', now(), 'nmap exited with status 1') RETURNING id`.execute(
      db.db,
    );
    await worker.tick();
    await worker.tick();
    const [opened] = await alertsOf(db, port.id);
    expect(opened?.title).toContain('tcp/8443');
    const runAlerts = await alertsOf(db, failed.id);
    expect(runAlerts).toHaveLength(1);
    expect(runAlerts[0]?.message).toContain(rows[0]?.id);
    expect(runAlerts[0]?.message).toContain('nmap exited with status 1');
  });

  it('sends a flapping device one "flapping" alert and holds further transitions until it is stable', async () => {
    const rule = await addRule(db, { event: 'device_offline', flap_threshold: 2, flap_window_s: 3600 });
    const online = await addRule(db, { event: 'device_online', flap_threshold: 2, flap_window_s: 3600 });
    const worker = alertWorker(db);
    const id = await newDevice(db, { name: 'flaky' });
    for (let i = 0; i < 8; i++) await addEvent(db, id, i % 2 === 0 ? 'went_offline' : 'came_online');
    await worker.tick();
    // offline, online, then the third change in the window makes it flapping: one alert, then quiet.
    expect((await alertsOf(db, rule.id)).map((a) => a.kind)).toEqual(['device_offline', 'flapping']);
    expect((await alertsOf(db, online.id)).map((a) => a.kind)).toEqual(['device_online', 'flapping']);
    // Stable for a whole window: the next transition alerts again.
    await sql`INSERT INTO device_events (device_id, kind, summary, event_at)
              VALUES (${id}, 'went_offline', 'down', now() + interval '2 hours')`.execute(db.db);
    await worker.tick();
    expect((await alertsOf(db, rule.id)).map((a) => a.kind)).toEqual(['device_offline', 'flapping', 'device_offline']);
  });

  it('collects a digest channel into one message per interval', async () => {
    const clock: Clock = { now: new Date() };
    const channel = await addWebhook(db, `${receiver.url}/digest`, { digest_interval_s: 300 });
    await addRule(db, { event: 'device_offline', channel_ids: [channel.id] });
    const worker = alertWorker(db, clock);
    for (const name of ['a', 'b', 'c']) await addEvent(db, await newDevice(db, { name }), 'went_offline');
    await worker.tick();
    expect(receiver.requests).toHaveLength(0);
    const [open] = await deliveriesOf(db, channel.id);
    expect(open).toMatchObject({ kind: 'digest', status: 'collecting' });
    expect(open?.alert_ids).toHaveLength(3);
    clock.now = new Date(clock.now.getTime() + 301_000);
    await worker.tick();
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]?.body ?? '{}');
    expect(body.kind).toBe('digest');
    expect(body.alerts.map((a: { title: string }) => a.title).sort()).toEqual([
      'Offline: a',
      'Offline: b',
      'Offline: c',
    ]);
    // The next alert opens a new digest.
    await addEvent(db, await newDevice(db, { name: 'd' }), 'went_offline');
    await worker.tick();
    expect((await deliveriesOf(db, channel.id)).map((d) => d.status)).toEqual(['sent', 'collecting']);
  });

  it('holds alerts in quiet hours (time zone aware) and lets critical ones through; drop mode drops', async () => {
    // 02:30 in Berlin.
    const clock: Clock = { now: new Date('2030-01-10T01:30:00Z') };
    const nights = { time_zone: 'Europe/Berlin', ranges: [{ start: '22:00', end: '07:00' }] };
    const holdChannel = await addWebhook(db, `${receiver.url}/hold`);
    const dropChannel = await addWebhook(db, `${receiver.url}/drop`, { quiet_hours: { ...nights, mode: 'drop' } });
    const held = await addRule(db, {
      event: 'device_offline',
      channel_ids: [holdChannel.id, dropChannel.id],
      quiet_hours: { ...nights, mode: 'hold' },
    });
    await addRule(db, { event: 'device_offline', severity: 'critical', channel_ids: [holdChannel.id, dropChannel.id] });
    const worker = alertWorker(db, clock);
    await addEvent(db, await newDevice(db, { name: 'nightly' }), 'went_offline');
    await worker.tick();
    // Only the critical rule's two deliveries went out at night.
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/drop', '/hold']);
    expect((await alertsOf(db, held.id))[0]?.status).toBe('fired');
    const holding = (await deliveriesOf(db, holdChannel.id)).find((d) => d.status === 'held');
    expect(holding?.next_attempt_at).toBe('2030-01-10T06:00:00Z');
    clock.now = new Date('2030-01-10T06:30:00Z');
    await worker.tick();
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/drop', '/drop', '/hold', '/hold']);
    // A rule whose quiet hours drop: the alert is recorded as suppressed and nothing is queued.
    const dropped = await addRule(db, {
      event: 'device_online',
      channel_ids: [holdChannel.id],
      quiet_hours: { ...nights, mode: 'drop' },
    });
    clock.now = new Date('2030-01-10T23:00:00Z');
    await addEvent(db, await newDevice(db, { name: 'late' }), 'came_online');
    await worker.tick();
    expect((await alertsOf(db, dropped.id)).map((a) => [a.status, a.suppressed_reason])).toEqual([
      ['suppressed', 'quiet_hours'],
    ]);
  });

  it('retries with backoff against a receiver that fails twice and records every attempt', async () => {
    const channel = await addWebhook(db, `${receiver.url}/flaky`);
    await addRule(db, { event: 'device_offline', channel_ids: [channel.id] });
    const worker = alertWorker(db);
    receiver.failNext(2);
    await addEvent(db, await newDevice(db, { name: 'r' }), 'went_offline');
    await worker.tick();
    await deliverUntil(worker, async () => (await deliveriesOf(db, channel.id))[0]?.status === 'sent');
    const [delivery] = await deliveriesOf(db, channel.id);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3 });
    expect(await attemptsOf(db, delivery?.id ?? '')).toEqual([
      { attempt: 1, outcome: 'failed', error: 'HTTP 500 Internal Server Error' },
      { attempt: 2, outcome: 'failed', error: 'HTTP 500 Internal Server Error' },
      { attempt: 3, outcome: 'sent', error: null },
    ]);
    expect(receiver.requests).toHaveLength(3);
    // Each attempt carries the same delivery id, so a receiver can drop duplicates.
    expect(new Set(receiver.requests.map((r) => r.headers['x-roller-delivery'])).size).toBe(1);
  });

  it('keeps processing events while a channel refuses connections, and gives up after the last attempt', async () => {
    const port = await closedPort();
    const dead = await addWebhook(db, `http://127.0.0.1:${port}/down`);
    const rule = await addRule(db, { event: 'device_offline', channel_ids: [dead.id] });
    const worker = alertWorker(db);
    await addEvent(db, await newDevice(db, { name: 'one' }), 'went_offline');
    await worker.tick();
    await addEvent(db, await newDevice(db, { name: 'two' }), 'went_offline');
    await worker.tick();
    expect(await alertsOf(db, rule.id)).toHaveLength(2);
    await deliverUntil(worker, async () => (await deliveriesOf(db, dead.id)).every((d) => d.status === 'failed'));
    const deliveries = await deliveriesOf(db, dead.id);
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['failed', 3],
      ['failed', 3],
    ]);
    expect(deliveries[0]?.last_error).toMatch(/ECONNREFUSED/);
  });

  it('delivers to ntfy and e-mail receivers', async () => {
    let smtp: SmtpReceiver | undefined;
    try {
      smtp = await startSmtpReceiver();
      const { AlertConfigRepository } = await import('../../src/storage/alert-config.repository.ts');
      const repo = new AlertConfigRepository(db.db);
      const ntfy = await repo.insertChannel({
        name: 'phone',
        type: 'ntfy',
        enabled: true,
        config: { server_url: receiver.url, topic: 'roller-alerts' },
        secret: 'tk_token',
        digest_interval_s: null,
        quiet_hours: null,
      });
      const mail = await repo.insertChannel({
        name: 'ops mail',
        type: 'email',
        enabled: true,
        config: {
          host: '127.0.0.1',
          port: smtp.port,
          tls: 'none',
          from: 'roller@example.test',
          to: ['ops@example.test'],
        },
        secret: null,
        digest_interval_s: null,
        quiet_hours: null,
      });
      await addRule(db, { event: 'device_offline', severity: 'critical', channel_ids: [ntfy.id, mail.id] });
      const worker = alertWorker(db);
      await addEvent(db, await newDevice(db, { name: 'core-sw' }), 'went_offline');
      await worker.tick();
      await deliverUntil(worker, async () => smtp !== undefined && smtp.mails.length > 0);
      const request = receiver.requests.find((r) => r.path === '/');
      expect(request?.headers.authorization).toBe('Bearer tk_token');
      expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
        topic: 'roller-alerts',
        title: 'Offline: core-sw',
        priority: 5,
      });
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]?.to).toEqual(['ops@example.test']);
      expect(smtp.mails[0]?.from).toBe('roller@example.test');
      expect(smtp.mails[0]?.raw).toContain('Subject: Offline: core-sw');
      expect(smtp.mails[0]?.raw).toContain('core-sw went offline');
      expect((await deliveriesOf(db, mail.id))[0]?.status).toBe('sent');
    } finally {
      await smtp?.close();
    }
  });

  it('turns a storm of 50 randomised-MAC devices into the configured number of alerts per policy', async () => {
    const channel = await addWebhook(db, `${receiver.url}/storm`);
    const each = await addRule(db, { event: 'new_device', randomized_mac_policy: 'alert', channel_ids: [channel.id] });
    const grouped = await addRule(db, {
      event: 'new_device',
      randomized_mac_policy: 'group',
      channel_ids: [channel.id],
    });
    const ignored = await addRule(db, {
      event: 'new_device',
      randomized_mac_policy: 'ignore',
      channel_ids: [channel.id],
    });
    const worker = alertWorker(db);
    for (let i = 0; i < 50; i++) {
      const suffix = i.toString(16).padStart(2, '0');
      await newDevice(db, { name: 'Pixel-7', mac: `da:a1:19:00:00:${suffix}`, ip: `10.0.5.${i + 10}` });
    }
    // A device with a burned-in MAC is never subject to the policy.
    await newDevice(db, { name: 'Pixel-7', mac: '3c:28:6d:00:00:01', ip: '10.0.5.200' });
    await worker.tick();
    const fired = async (ruleId: string) => (await alertsOf(db, ruleId)).filter((a) => a.status === 'fired').length;
    expect(await fired(each.id)).toBe(51);
    expect(await fired(grouped.id)).toBe(2);
    expect(await fired(ignored.id)).toBe(1);
    const groupedAlerts = await alertsOf(db, grouped.id);
    expect(groupedAlerts.filter((a) => a.suppressed_reason === 'randomized_mac_group')).toHaveLength(49);
    expect((await alertsOf(db, ignored.id)).filter((a) => a.suppressed_reason === 'randomized_mac')).toHaveLength(50);
    await deliverUntil(worker, async () => receiver.requests.length >= 54);
    expect(receiver.requests).toHaveLength(54);
  });
});
