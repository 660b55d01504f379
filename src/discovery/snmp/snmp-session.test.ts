// The net-snmp session against a socket that never answers (127.0.77.164 only): retries, timeout
// and abort bounds, and the error texts. Real agents are exercised in test/snmp/.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNetSnmpError, openSnmpSession } from './snmp-session.ts';
import { FIRST_BULK_REPETITIONS } from './walk-loop.ts';

/** max-repetitions of a v2c GetBulkRequest datagram (BER: …, PDU 0xa5, request-id, non-repeaters, max-repetitions). */
function getBulkMaxRepetitions(datagram: Buffer): number | null {
  const pdu = datagram.indexOf(0xa5);
  if (pdu < 0) return null;
  let at = pdu + 1;
  const skipLength = (): number => {
    const first = datagram[at++] as number;
    if (first < 0x80) return first;
    let length = 0;
    for (let count = first & 0x7f; count > 0; count--) length = (length << 8) | (datagram[at++] as number);
    return length;
  };
  skipLength();
  let value = 0;
  for (let integer = 0; integer < 3; integer++) {
    if (datagram[at++] !== 0x02) return null;
    const length = skipLength();
    value = 0;
    for (let index = 0; index < length; index++) value = value * 256 + (datagram[at++] as number);
  }
  return value;
}

const SILENT = '127.0.77.164';

describe('net-snmp session against a silent agent', () => {
  let socket: Socket;
  let port = 0;
  let received = 0;
  const datagrams: Buffer[] = [];

  beforeAll(async () => {
    socket = createSocket('udp4');
    socket.on('message', (message) => {
      received++;
      datagrams.push(message);
    });
    await new Promise<void>((resolve) => socket.bind(0, SILENT, resolve));
    port = socket.address().port;
  });

  afterAll(() => {
    socket.close();
  });

  it('retries, then fails with "timeout" after timeout × (retries + 1)', async () => {
    received = 0;
    const session = openSnmpSession(
      SILENT,
      { name: 'x', version: '2c', community: 'public' },
      { port, timeoutMs: 150, retries: 2 },
    );
    const started = performance.now();
    await expect(session.get(['1.3.6.1.2.1.1.5.0'])).rejects.toThrow(/^timeout$/);
    const elapsed = performance.now() - started;
    session.close();
    expect(received).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(420);
    expect(elapsed).toBeLessThan(2000);
  });

  it('sends v3 engine discovery first and times out the same way', async () => {
    received = 0;
    const session = openSnmpSession(
      SILENT,
      { name: 'x', version: '3', user: 'u', level: 'authPriv', authKey: 'authauthauth', privKey: 'privprivpriv' },
      { port, timeoutMs: 150, retries: 0 },
    );
    await expect(session.walk('1.3.6.1.2.1.2.2.1.2')).rejects.toThrow(/^timeout$/);
    session.close();
    expect(received).toBe(1);
  });

  it('asks for a few rows in the first GETBULK of a walk, not max-repetitions', async () => {
    datagrams.length = 0;
    const session = openSnmpSession(
      SILENT,
      { name: 'x', version: '2c', community: 'public' },
      { port, timeoutMs: 100, retries: 0, maxRepetitions: 40 },
    );
    await expect(session.walk('1.3.6.1.2.1.2.2.1.2')).rejects.toThrow(/^timeout$/);
    session.close();
    expect(datagrams.map(getBulkMaxRepetitions)).toEqual([FIRST_BULK_REPETITIONS]);
  });

  it('ends a pending request with "aborted" as soon as the signal fires', async () => {
    const controller = new AbortController();
    const session = openSnmpSession(
      SILENT,
      { name: 'x', version: '1', community: 'public' },
      { port, timeoutMs: 5000, retries: 3, signal: controller.signal },
    );
    const started = performance.now();
    const pending = session.walk('1.3.6.1.2.1.2.2.1.2');
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow(/^aborted$/);
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(session.get(['1.3.6.1.2.1.1.5.0'])).rejects.toThrow(/^aborted$/);
    session.close();
  });
});

describe('describeNetSnmpError', () => {
  it('names USM reports and digest mismatches', () => {
    expect(describeNetSnmpError(new Error('Unknown User Name'))).toBe('unknown user name');
    expect(describeNetSnmpError(new Error('Wrong Digest (incorrect password, community or key)'))).toBe(
      'authentication failure',
    );
    expect(
      describeNetSnmpError(new Error('Authentication digest 00 received in message does not match digest 11')),
    ).toBe('authentication failure');
    expect(describeNetSnmpError(new Error('Not In Time Window'))).toBe('not in time window');
    expect(describeNetSnmpError(new Error('Failed to decrypt PDU: bad'))).toBe('decryption failure');
  });

  it('names socket errors by code and keeps anything else readable', () => {
    expect(describeNetSnmpError(Object.assign(new Error('send ENETUNREACH'), { code: 'ENETUNREACH' }))).toBe(
      'network error: ENETUNREACH',
    );
    expect(describeNetSnmpError(new Error('Socket forcibly closed'))).toBe('session closed');
    expect(describeNetSnmpError(new Error('Unknown PDU type'))).toBe('snmp error: Unknown PDU type');
  });
});
