import { describe, expect, it } from 'vitest';
import type { Varbind } from './snmp.types.ts';
import {
  bytesToIp,
  decodeInt,
  decodeMac,
  decodeOid,
  decodeText,
  maskToPrefixLength,
  parseMacText,
} from './varbind.decode.ts';

const octets = (value: Buffer | string): Varbind => ({
  oid: '1.3.6.1',
  type: 'octets',
  value: typeof value === 'string' ? Buffer.from(value) : value,
});

describe('decodeText', () => {
  it('trims printable text and keeps inner line breaks', () => {
    expect(decodeText(octets('  Cisco IOS\r\nTechnical Support  \n'))).toBe('Cisco IOS\r\nTechnical Support');
  });

  it('turns blank, empty and missing values into null', () => {
    expect(decodeText(octets('   '))).toBeNull();
    expect(decodeText(octets(Buffer.alloc(0)))).toBeNull();
    expect(decodeText(undefined)).toBeNull();
    expect(decodeText({ oid: '1', type: 'noSuchObject', value: null })).toBeNull();
  });

  it('drops C-string NUL padding instead of calling the value binary', () => {
    expect(decodeText(octets(Buffer.from('switch-1\0\0', 'latin1')))).toBe('switch-1');
  });

  it('renders binary values as lower-case colon hex', () => {
    expect(decodeText(octets(Buffer.from([0x00, 0x1b, 0xfe, 0x07])))).toBe('00:1b:fe:07');
  });

  it('accepts UTF-8 and printable Latin-1 text', () => {
    expect(decodeText(octets('Büro 2'))).toBe('Büro 2');
    expect(decodeText(octets(Buffer.from('Bureau à', 'latin1')))).toBe('Bureau à');
  });

  it('gives numbers of other types as text', () => {
    expect(decodeText({ oid: '1', type: 'integer', value: 42 })).toBe('42');
  });
});

describe('decodeMac', () => {
  it('reads six raw bytes as a lower-case colon MAC', () => {
    expect(decodeMac(octets(Buffer.from('AC7E8A19BF03', 'hex')))).toBe('ac:7e:8a:19:bf:03');
  });

  it('rejects all-zero, empty and wrong-length addresses', () => {
    expect(decodeMac(octets(Buffer.alloc(6)))).toBeNull();
    expect(decodeMac(octets(Buffer.alloc(0)))).toBeNull();
    expect(decodeMac(octets(Buffer.from('0011223344556677', 'hex')))).toBeNull();
  });

  it('accepts a MAC an agent stored as text', () => {
    expect(decodeMac(octets('AC-A3-1E-C3-AF-AA'))).toBe('ac:a3:1e:c3:af:aa');
  });
});

describe('parseMacText', () => {
  it.each([
    ['aa:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:ff'],
    ['AA-BB-CC-DD-EE-FF', 'aa:bb:cc:dd:ee:ff'],
    ['aabb.ccdd.eeff', 'aa:bb:cc:dd:ee:ff'],
    ['AABBCCDDEEFF', 'aa:bb:cc:dd:ee:ff'],
    ['0:1b:fe:7:a:b', '00:1b:fe:07:0a:0b'],
  ])('%s → %s', (text, mac) => {
    expect(parseMacText(text)).toBe(mac);
  });

  it.each(['GigabitEthernet0/1', 'aa:bb:cc:dd:ee', '00:00:00:00:00:00', 'aabbccddeeff00'])('%s is no MAC', (text) => {
    expect(parseMacText(text)).toBeNull();
  });
});

describe('numbers, OIDs and addresses', () => {
  it('reads integer-like types and nothing else as numbers', () => {
    expect(decodeInt({ oid: '1', type: 'gauge', value: 1000 })).toBe(1000);
    expect(decodeInt({ oid: '1', type: 'counter64', value: 12345678901n })).toBe(12345678901);
    expect(decodeInt(octets('7'))).toBeNull();
  });

  it('strips a leading dot from OID values', () => {
    expect(decodeOid({ oid: '1', type: 'oid', value: '.1.3.6.1.4.1.207.1.14.137' })).toBe('1.3.6.1.4.1.207.1.14.137');
    expect(decodeOid(octets('1.3.6'))).toBeNull();
  });

  it('turns 4 and 16 bytes into addresses and refuses other lengths', () => {
    expect(bytesToIp(Uint8Array.from([10, 54, 64, 5]))).toBe('10.54.64.5');
    expect(bytesToIp(Uint8Array.from([0xfe, 0x80, ...Array(13).fill(0), 1]))).toBe('fe80::1');
    expect(bytesToIp(Uint8Array.from([1, 2, 3]))).toBeNull();
  });

  it('converts contiguous netmasks to prefix lengths', () => {
    expect(maskToPrefixLength('255.255.248.0')).toBe(21);
    expect(maskToPrefixLength('255.255.255.255')).toBe(32);
    expect(maskToPrefixLength('0.0.0.0')).toBe(0);
    expect(maskToPrefixLength('255.0.255.0')).toBeNull();
  });
});
