import { describe, expect, it } from 'vitest';
import * as p from './parsers.ts';

const value = <T>(result: p.ParseResult<T>): T => {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}`);
  return result.value;
};
const reason = <T>(result: p.ParseResult<T>): string => {
  if (result.ok) throw new Error('expected a failure');
  return result.reason;
};

describe('config parsers', () => {
  it('parses Go-style durations to milliseconds', () => {
    const duration = p.duration();
    expect(value(duration('400ms'))).toBe(400);
    expect(value(duration('1.5s'))).toBe(1500);
    expect(value(duration('2m'))).toBe(120_000);
    expect(value(duration('1h30m'))).toBe(5_400_000);
    expect(value(duration('0'))).toBe(0);
    expect(value(duration('1500us'))).toBe(2);
    for (const bad of ['5', '1x', 'ms', '1 s', '-1s', '1s2']) expect(reason(duration(bad))).toMatch(/not a duration/);
    expect(reason(p.duration({ minMs: 1 })('0'))).toMatch(/at least 1ms/);
  });

  it('parses booleans the SPEC way and refuses anything else', () => {
    for (const yes of ['1', 'true', 'T', ' yes ', 'Y', 'on']) expect(value(p.boolean(yes))).toBe(true);
    for (const no of ['0', 'false', 'F', 'no', 'n', 'OFF']) expect(value(p.boolean(no))).toBe(false);
    expect(reason(p.boolean('maybe'))).toMatch(/not a boolean/);
  });

  it('parses integers within bounds', () => {
    expect(value(p.integer()('-3'))).toBe(-3);
    expect(reason(p.integer()('3.5'))).toMatch(/not a base-10 integer/);
    expect(reason(p.integer({ min: 1 })('0'))).toMatch(/at least 1/);
    expect(reason(p.integer({ max: 10 })('11'))).toMatch(/at most 10/);
  });

  it('parses listen addresses', () => {
    expect(value(p.listenAddress('127.0.0.1:8081'))).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(value(p.listenAddress(':8081'))).toEqual({ host: '0.0.0.0', port: 8081 });
    expect(value(p.listenAddress('[::1]:9000'))).toEqual({ host: '::1', port: 9000 });
    expect(value(p.listenAddress('localhost:0'))).toEqual({ host: 'localhost', port: 0 });
    for (const bad of ['8081', 'host:99999', '[nope]:80', 'a:b']) expect(p.listenAddress(bad).ok).toBe(false);
  });

  it('masks CIDR prefixes and refuses bare IPs and junk', () => {
    expect(value(p.cidrList('10.0.0.5/24, 192.168.1.0/24,,')).map((prefix) => prefix.cidr)).toEqual([
      '10.0.0.0/24',
      '192.168.1.0/24',
    ]);
    expect(value(p.cidrList('2001:db8::1/64')).map((prefix) => prefix.cidr)).toEqual(['2001:db8::/64']);
    expect(value(p.cidrList('0.0.0.0/0'))[0]).toMatchObject({ cidr: '0.0.0.0/0', bits: 0, family: 4 });
    expect(reason(p.cidrList('10.0.0.1, 10.0.0.0/33, x/8'))).toMatch(
      /"10.0.0.1" is not a CIDR.*"10.0.0.0\/33".*"x\/8"/,
    );
    expect(value(p.cidrList(''))).toEqual([]);
  });

  it('answers prefix membership', () => {
    const prefixes = value(p.cidrList('10.0.0.0/24,2001:db8::/32'));
    expect(p.prefixContains(prefixes, '10.0.0.77')).toBe(true);
    expect(p.prefixContains(prefixes, '10.0.1.1')).toBe(false);
    expect(p.prefixContains(prefixes, '2001:db8:1::5')).toBe(true);
  });

  it('parses port lists: sorted, de-duplicated, in range', () => {
    expect(value(p.portList('443, 22,80,22'))).toEqual([22, 80, 443]);
    expect(reason(p.portList('22,70000,http'))).toMatch(/"70000" is not a port.*"http" is not a port/);
    expect(reason(p.portList(' , '))).toMatch(/no ports/);
  });

  it('accepts a scope as a single IP or a prefix (masked)', () => {
    expect(value(p.scope('10.0.0.5'))).toBe('10.0.0.5');
    expect(value(p.scope('10.0.0.5/24'))).toBe('10.0.0.0/24');
    expect(reason(p.scope('everything'))).toMatch(/CIDR prefix.*single IP/);
  });

  it('accepts only postgres URLs', () => {
    expect(value(p.url('postgres://u:p@h:5432/db'))).toBe('postgres://u:p@h:5432/db');
    expect(p.url('mysql://x').ok).toBe(false);
    expect(p.url('not a url').ok).toBe(false);
  });

  it('parses SNMP credential sets in order, v1/v2c/v3, from JSON or YAML', () => {
    const json = JSON.stringify([
      { name: 'core', version: '3', user: 'roller', authKey: 'authsecret1', privKey: 'privsecret1' },
      { name: 'legacy', version: 'v2c', community: 'public' },
      { version: 1, community: 'old' },
    ]);
    expect(value(p.snmpCredentials(json))).toEqual([
      {
        name: 'core',
        version: '3',
        user: 'roller',
        level: 'authPriv',
        authProtocol: 'sha',
        authKey: 'authsecret1',
        privProtocol: 'aes',
        privKey: 'privsecret1',
      },
      { name: 'legacy', version: '2c', community: 'public' },
      { name: '1-2', version: '1', community: 'old' },
    ]);
    const yaml =
      '- name: ro\n  version: "3"\n  user: mon\n  level: authNoPriv\n  authProtocol: SHA256\n  authKey: abcdefgh\n';
    expect(value(p.snmpCredentials(yaml))).toEqual([
      { name: 'ro', version: '3', user: 'mon', level: 'authNoPriv', authProtocol: 'sha256', authKey: 'abcdefgh' },
    ]);
  });

  it('names every bad SNMP credential set and never echoes a secret', () => {
    const problems = reason(
      p.snmpCredentials(
        JSON.stringify([
          { version: '3', user: 'x', authKey: 'short-1', privKey: 'longenough' },
          { version: '2c' },
          { version: '4', community: 'topsecret' },
          { name: 'a', version: '2c', community: 'c' },
          { name: 'a', version: '2c', community: 'd' },
        ]),
      ),
    );
    expect(problems).toMatch(/entry 0: authKey must be at least 8/);
    expect(problems).toMatch(/entry 1: version 1\/2c needs a community/);
    expect(problems).toMatch(/entry 2: version must be 1, 2c or 3/);
    expect(problems).toMatch(/entry 4: duplicate name "a"/);
    expect(problems).not.toMatch(/short-1|topsecret/);
    expect(reason(p.snmpCredentials('{}'))).toMatch(/non-empty list/);
    expect(reason(p.snmpCredentials('[unclosed'))).toMatch(/not valid JSON or YAML/);
  });

  it('parses address lists (resolvers)', () => {
    expect(value(p.addressList('10.0.0.53, 127.0.0.1:5353 ,::1'))).toEqual(['10.0.0.53', '127.0.0.1:5353', '::1']);
    expect(reason(p.addressList('dns.example, 10.0.0.1:99999'))).toMatch(/"dns.example".*"10.0.0.1:99999"/);
  });

  it('parses five-field cron expressions (RETENTION_SCHEDULE)', () => {
    expect(value(p.cron(' 30 3 * * * '))).toBe('30 3 * * *');
    expect(value(p.cron('0 */6 * * 1-5'))).toBe('0 */6 * * 1-5');
    expect(reason(p.cron('0 30 3 * * *'))).toMatch(/five fields/);
    expect(reason(p.cron('daily'))).toMatch(/five fields/);
    expect(reason(p.cron('61 3 * * *'))).toMatch(/not a valid cron expression/);
    expect(reason(p.cron('0 0 30 2 *'))).toMatch(/never fires|not a valid/);
  });
});

describe('auth and UI parsers', () => {
  it('parses AUTH_USERS entries; a missing role stays undefined', () => {
    expect(value(p.environmentUsers(' alice : pw1 : admin ,bob:pw2,, carol:pw3:read-only '))).toEqual([
      { username: 'alice', password: 'pw1', role: 'admin' },
      { username: 'bob', password: 'pw2', role: undefined },
      { username: 'carol', password: 'pw3', role: 'read-only' },
    ]);
    expect(value(p.environmentUsers('dave:pw4:'))).toEqual([{ username: 'dave', password: 'pw4', role: undefined }]);
    expect(value(p.environmentUsers(' , '))).toEqual([]);
  });

  it('passes the role through unchecked (the users module checks it)', () => {
    expect(value(p.environmentUsers('alice:pw:superuser'))).toEqual([
      { username: 'alice', password: 'pw', role: 'superuser' },
    ]);
  });

  it('accepts a scrypt$ hash as the password', () => {
    const hash = `scrypt$16384$8$1$${'ab'.repeat(16)}$${'cd'.repeat(32)}`;
    expect(value(p.environmentUsers(`alice:${hash}:admin`))).toEqual([
      { username: 'alice', password: hash, role: 'admin' },
    ]);
  });

  it('refuses AUTH_USERS entries without username or password, with extra parts, or listed twice', () => {
    expect(reason(p.environmentUsers('alice:pw,:pw2'))).toMatch(/entry 2 has no username/);
    expect(reason(p.environmentUsers('alice'))).toMatch(/entry 1 \(alice\) has no password/);
    expect(reason(p.environmentUsers('alice::admin'))).toMatch(/entry 1 \(alice\) has no password/);
    expect(reason(p.environmentUsers('alice:pa:ss:admin'))).toMatch(/entry 1 has more than three/);
    expect(reason(p.environmentUsers('alice:pw1,bob:pw2, alice :pw3'))).toMatch(/user "alice" is listed twice/);
  });

  it('never echoes a password in a reason', () => {
    expect(reason(p.environmentUsers('alice:topsecret:x:y'))).not.toContain('topsecret');
    expect(reason(p.environmentUsers('alice:topsecret,alice:topsecret2'))).not.toContain('topsecret');
  });

  it('parses the core address: an http(s) base URL or a unix socket', () => {
    expect(value(p.coreAddress(' http://127.0.0.1:8081 '))).toEqual({ url: 'http://127.0.0.1:8081' });
    expect(value(p.coreAddress('https://core.example/roller//'))).toEqual({ url: 'https://core.example/roller' });
    expect(value(p.coreAddress('unix:/run/roller/core.sock'))).toEqual({ socketPath: '/run/roller/core.sock' });
  });

  it('refuses other core addresses', () => {
    expect(reason(p.coreAddress('unix:run/core.sock'))).toMatch(/absolute socket path/);
    expect(reason(p.coreAddress('ftp://core.example'))).toMatch(/http:\/\/ or https:\/\//);
    expect(reason(p.coreAddress('http://core.example/?x=1'))).toMatch(/without query or fragment/);
    expect(reason(p.coreAddress('http://core.example/#top'))).toMatch(/without query or fragment/);
    expect(reason(p.coreAddress('127.0.0.1:8081 x'))).toMatch(/not a valid URL|http/);
    expect(reason(p.coreAddress('not a url'))).toMatch(/not a valid URL/);
  });

  it('accepts a secret of at least the minimum length, as given', () => {
    const parse = p.secret(32);
    expect(value(parse('x'.repeat(32)))).toBe('x'.repeat(32));
    expect(value(parse(` ${'y'.repeat(40)} `))).toBe(` ${'y'.repeat(40)} `);
    expect(reason(parse('x'.repeat(31)))).toBe('must be at least 32 characters long (it is 31)');
    expect(reason(p.secret(8)('short'))).toMatch(/at least 8 characters.*it is 5/);
  });
});
