import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/domain/alerts/delivery-policy.ts';
import { alertWorker, newDevice } from '../alerts/engine-support.ts';
import {
  closedPort,
  type HttpReceiver,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from '../alerts/receivers.ts';
import { describeEachBackend } from '../support/backends.ts';
import { createTestCore, type TestCore } from '../support/core-app.ts';

interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
type Json = Record<string, unknown>;

describeEachBackend('alert API', (backend) => {
  let core: TestCore;
  let receiver: HttpReceiver;
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    core = await createTestCore(backend);
    receiver = await startHttpReceiver();
    smtp = await startSmtpReceiver();
  });
  afterAll(async () => {
    await core.close();
    await receiver.close();
    await smtp.close();
  });

  const call = async <T = Json>(method: string, url: string, payload?: unknown) => {
    const response = await core.request({
      method: method as 'GET',
      url,
      ...(payload === undefined ? {} : { payload: payload as Json }),
    });
    return { status: response.statusCode, body: (response.body === '' ? {} : response.json()) as T };
  };

  const device = async (name: string, presence = 'online'): Promise<string> => {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO devices (display_name, presence) VALUES (${name}, ${presence}) RETURNING id`.execute(
      core.database.db,
    );
    return (rows[0] as { id: string }).id;
  };

  it('creates, reads, changes and deletes channels; the secret is write-only', async () => {
    const created = await call('POST', '/api/v1/alert-channels', {
      name: 'hook',
      type: 'webhook',
      config: { url: `${receiver.url}/hook` },
      secret: 'hmac-key-1',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'hook', type: 'webhook', enabled: true, has_secret: true });
    expect(JSON.stringify(created.body)).not.toContain('hmac-key-1');
    const id = created.body.id as string;
    const listed = await call<{ channels: Json[] }>('GET', '/api/v1/alert-channels');
    expect(JSON.stringify(listed.body)).not.toContain('hmac-key-1');
    expect(listed.body.channels.map((c) => c.name)).toContain('hook');
    const patched = await call('PATCH', `/api/v1/alert-channels/${id}`, { digest_interval_s: 600, enabled: false });
    expect(patched.body).toMatchObject({ digest_interval_s: 600, enabled: false, has_secret: true });
    const cleared = await call('PATCH', `/api/v1/alert-channels/${id}`, { secret: null, digest_interval_s: null });
    expect(cleared.body.has_secret).toBe(false);
    expect(cleared.body.digest_interval_s).toBeUndefined();
    expect((await call('DELETE', `/api/v1/alert-channels/${id}`)).status).toBe(204);
    expect((await call<Envelope>('GET', `/api/v1/alert-channels/${id}`)).body.error.code).toBe('not_found');
  });

  it('refuses channels with missing or foreign settings', async () => {
    const missing = await call<Envelope>('POST', '/api/v1/alert-channels', { name: 'x', type: 'ntfy', config: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details?.error).toBe('ntfy needs topic');
    const foreign = await call<Envelope>('POST', '/api/v1/alert-channels', {
      name: 'y',
      type: 'webhook',
      config: { url: 'http://127.0.0.1:1/x', topic: 'nope' },
    });
    expect(foreign.body.error.details?.error).toBe('webhook does not take topic');
    const scheme = await call<Envelope>('POST', '/api/v1/alert-channels', {
      name: 'z',
      type: 'webhook',
      config: { url: 'ftp://127.0.0.1/x' },
    });
    expect(scheme.status).toBe(400);
    const badZone = await call<Envelope>('POST', '/api/v1/alert-channels', {
      name: 'q',
      type: 'webhook',
      config: { url: 'http://127.0.0.1:1/x' },
      quiet_hours: { time_zone: 'Mars/Olympus', ranges: [{ start: '22:00', end: '07:00' }], mode: 'hold' },
    });
    expect(badZone.body.error.message).toBe('invalid quiet hours');
  });

  it('manages rules with defaults, validation and channel references', async () => {
    const channel = await call('POST', '/api/v1/alert-channels', {
      name: 'rules-hook',
      type: 'webhook',
      config: { url: `${receiver.url}/r` },
    });
    const created = await call('POST', '/api/v1/alert-rules', {
      name: 'new things',
      event: 'new_device',
      channel_ids: [channel.body.id],
      filters: { subnets: ['10.0.0.0/8'], tags: ['iot'] },
      quiet_hours: { time_zone: 'Europe/Berlin', ranges: [{ start: '22:00', end: '07:00' }], mode: 'hold' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      event: 'new_device',
      enabled: true,
      severity: 'warning',
      new_device_delay_s: 300,
      randomized_mac_policy: 'group',
      channel_ids: [channel.body.id],
    });
    const id = created.body.id as string;
    const patched = await call('PATCH', `/api/v1/alert-rules/${id}`, { severity: 'critical', quiet_hours: null });
    expect(patched.body).toMatchObject({ severity: 'critical', name: 'new things' });
    expect(patched.body.quiet_hours).toBeUndefined();
    expect(
      (await call<Envelope>('POST', '/api/v1/alert-rules', { name: 'new things', event: 'ip_changed' })).status,
    ).toBe(409);
    const unknownChannel = await call<Envelope>('POST', '/api/v1/alert-rules', {
      name: 'n2',
      event: 'ip_changed',
      channel_ids: ['0b8e5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b'],
    });
    expect(unknownChannel.status).toBe(404);
    const runFilters = await call<Envelope>('POST', '/api/v1/alert-rules', {
      name: 'n3',
      event: 'run_failed',
      filters: { tags: ['server'] },
    });
    expect(runFilters.body.error.message).toBe('a run_failed rule takes no device filters');
    const badSubnet = await call<Envelope>('POST', '/api/v1/alert-rules', {
      name: 'n4',
      event: 'device_offline',
      filters: { subnets: ['10.0.0.300/24'] },
    });
    expect(badSubnet.body.error.message).toBe('invalid subnet filter');
    const badEvent = await call<Envelope>('POST', '/api/v1/alert-rules', { name: 'n5', event: 'lunch' });
    expect(badEvent.status).toBe(400);
    // Deleting the channel removes it from the rule.
    await call('DELETE', `/api/v1/alert-channels/${channel.body.id}`);
    expect((await call('GET', `/api/v1/alert-rules/${id}`)).body.channel_ids).toEqual([]);
    expect((await call('DELETE', `/api/v1/alert-rules/${id}`)).status).toBe(204);
    expect((await call<Envelope>('DELETE', `/api/v1/alert-rules/${id}`)).status).toBe(404);
  });

  it('tests a webhook channel: signed message, recorded as a sent test delivery', async () => {
    const channel = await call('POST', '/api/v1/alert-channels', {
      name: 'test-hook',
      type: 'webhook',
      config: { url: `${receiver.url}/test` },
      secret: 'key-for-test',
    });
    const before = receiver.requests.length;
    const tested = await call<{ delivery: Json }>('POST', `/api/v1/alert-channels/${channel.body.id}/test`);
    expect(tested.status).toBe(200);
    expect(tested.body.delivery).toMatchObject({ kind: 'test', status: 'sent', attempts: 1, channel_type: 'webhook' });
    const request = receiver.requests[before];
    expect(request?.path).toBe('/test');
    expect(
      verifyWebhookSignature(
        'key-for-test',
        String(request?.headers['x-roller-timestamp']),
        request?.body ?? '',
        String(request?.headers['x-roller-signature']),
      ),
    ).toBe(true);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ kind: 'test', delivery_id: tested.body.delivery.id });
  });

  it('tests ntfy and e-mail channels against real receivers', async () => {
    const ntfy = await call('POST', '/api/v1/alert-channels', {
      name: 'test-ntfy',
      type: 'ntfy',
      config: { server_url: receiver.url, topic: 'roller' },
    });
    const ntfyResult = await call<{ delivery: Json }>('POST', `/api/v1/alert-channels/${ntfy.body.id}/test`, {});
    expect(ntfyResult.body.delivery.status).toBe('sent');
    expect(JSON.parse(receiver.requests.at(-1)?.body ?? '{}')).toMatchObject({ topic: 'roller', priority: 3 });
    const mail = await call('POST', '/api/v1/alert-channels', {
      name: 'test-mail',
      type: 'email',
      config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'roller@example.test', to: ['a@example.test'] },
    });
    const mailResult = await call<{ delivery: Json }>('POST', `/api/v1/alert-channels/${mail.body.id}/test`);
    expect(mailResult.body.delivery.status).toBe('sent');
    expect(smtp.mails.at(-1)?.raw).toContain('Subject: Roller test message to test-mail');
  });

  it('records a failed test with the reason when the receiver is down', async () => {
    const port = await closedPort();
    const channel = await call('POST', '/api/v1/alert-channels', {
      name: 'dead-hook',
      type: 'webhook',
      config: { url: `http://127.0.0.1:${port}/` },
    });
    const tested = await call<{ delivery: Json & { attempt_log: Json[] } }>(
      'POST',
      `/api/v1/alert-channels/${channel.body.id}/test`,
    );
    expect(tested.body.delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(String(tested.body.delivery.last_error)).toMatch(/ECONNREFUSED/);
    expect(tested.body.delivery.attempt_log).toHaveLength(1);
    expect(tested.body.delivery.attempt_log[0]).toMatchObject({ attempt: 1, outcome: 'failed' });
  });

  it('lists deliveries newest first with filters and cursor paging', async () => {
    const channel = await call('POST', '/api/v1/alert-channels', {
      name: 'paged',
      type: 'webhook',
      config: { url: `${receiver.url}/paged` },
    });
    for (let i = 0; i < 5; i++) await call('POST', `/api/v1/alert-channels/${channel.body.id}/test`);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const query = `channel_id=${channel.body.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const result = await call<{ deliveries: Json[]; cursor?: string }>('GET', `/api/v1/alert-deliveries?${query}`);
      seen.push(...result.body.deliveries.map((d) => d.id as string));
      cursor = result.body.cursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const failedOnly = await call<{ deliveries: Json[] }>(
      'GET',
      `/api/v1/alert-deliveries?channel_id=${channel.body.id}&status=failed`,
    );
    expect(failedOnly.body.deliveries).toHaveLength(0);
    expect((await call<Envelope>('GET', '/api/v1/alert-deliveries?cursor=%%%')).status).toBe(400);
    expect((await call<Envelope>('GET', '/api/v1/alert-deliveries?status=lost')).status).toBe(400);
  });

  it('lists raised alerts with their suppression reason, filtered and paged', async () => {
    const rule = await call('POST', '/api/v1/alert-rules', {
      name: 'randomised are noise',
      event: 'new_device',
      new_device_delay_s: 0,
      randomized_mac_policy: 'ignore',
    });
    const ruleId = rule.body.id as string;
    await newDevice(core.database, { name: 'phone', mac: 'da:a1:19:00:00:01' });
    await newDevice(core.database, { name: 'phone', mac: 'da:a1:19:00:00:02' });
    const real = await newDevice(core.database, { name: 'printer', mac: '00:1b:21:3a:4f:10' });
    await alertWorker(core.database).tick();
    const suppressed = await call<{ alerts: Json[] }>('GET', `/api/v1/alerts?rule_id=${ruleId}&status=suppressed`);
    expect(suppressed.body.alerts.map((a) => [a.event, a.suppressed_reason])).toEqual([
      ['new_device', 'randomized_mac'],
      ['new_device', 'randomized_mac'],
    ]);
    const fired = await call<{ alerts: Json[] }>('GET', `/api/v1/alerts?rule_id=${ruleId}&status=fired`);
    expect(fired.body.alerts).toHaveLength(1);
    expect(fired.body.alerts[0]).toMatchObject({
      device_id: real,
      title: 'New device: printer',
      rule_name: 'randomised are noise',
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const result = await call<{ alerts: Json[]; cursor?: string }>(
        'GET',
        `/api/v1/alerts?rule_id=${ruleId}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...result.body.alerts.map((a) => a.id as string));
      cursor = result.body.cursor;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(3);
    expect((await call<Envelope>('GET', '/api/v1/alerts?status=loud')).status).toBe(400);
  });

  it('puts devices on the watch list and exports presence gauges on /metrics', async () => {
    const up = await device('router-1', 'online');
    const down = await device('nas-1', 'offline');
    await device('unwatched', 'unknown');
    expect((await call('GET', `/api/v1/devices/${up}/watch`)).body).toEqual({ device_id: up, watched: false });
    const watched = await call('PUT', `/api/v1/devices/${up}/watch`);
    expect(watched.body).toMatchObject({ device_id: up, watched: true });
    expect((await call('PUT', `/api/v1/devices/${down}/watch`, {})).status).toBe(200);
    expect((await call('GET', `/api/v1/devices/${up}/watch`)).body.watched).toBe(true);
    expect((await call<Envelope>('PUT', '/api/v1/devices/0b8e5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b/watch')).status).toBe(
      404,
    );
    expect((await call<Envelope>('PUT', '/api/v1/devices/nope/watch')).body.error.code).toBe('invalid_id');

    const metrics = (await core.request({ method: 'GET', url: '/metrics' })).body;
    const { rows: states } = await sql<{ presence: string; n: number }>`
      SELECT presence, count(*)::int AS n FROM devices GROUP BY presence`.execute(core.database.db);
    for (const state of ['online', 'offline', 'unknown']) {
      const n = states.find((row) => row.presence === state)?.n ?? 0;
      expect(n).toBeGreaterThan(0);
      expect(metrics).toContain(`roller_devices{state="${state}"} ${n}\n`);
    }
    expect(metrics).toContain(`roller_device_up{device_id="${up}",name="router-1"} 1`);
    expect(metrics).toContain(`roller_device_up{device_id="${down}",name="nas-1"} 0`);
    expect(metrics).not.toContain('name="unwatched"');
    expect(metrics).toMatch(/^roller_alert_deliveries_total\{channel_type="webhook",outcome="sent"\} \d+$/m);

    expect((await call('DELETE', `/api/v1/devices/${up}/watch`)).status).toBe(204);
    expect((await call('DELETE', `/api/v1/devices/${up}/watch`)).status).toBe(204);
    const after = (await core.request({ method: 'GET', url: '/metrics' })).body;
    expect(after).not.toContain(`device_id="${up}"`);
  });
});
