import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { isLocallyAdministered, isMulticastMac, macHexDigits, macVendor } from './mac-vendor.ts';

const require = createRequire(import.meta.url);
const datasetLoaded = () => require.resolve('oui-data') in require.cache;

describe('macVendor', () => {
  it('loads the dataset lazily, on the first lookup', async () => {
    // A fresh copy of the module and an empty CJS cache entry, whatever ran before in this process.
    delete require.cache[require.resolve('oui-data')];
    vi.resetModules();
    const fresh = await import('./mac-vendor.ts');
    expect(datasetLoaded()).toBe(false);
    expect(fresh.isLocallyAdministered('02:00:00:00:00:01')).toBe(true);
    expect(fresh.macVendor('not a mac')).toBeNull();
    expect(fresh.macVendor('02:00:00:00:00:01')).toBeNull();
    expect(datasetLoaded()).toBe(false);
    expect(fresh.macVendor('00:00:0c:12:34:56')).toBe('Cisco Systems, Inc');
    expect(datasetLoaded()).toBe(true);
  });

  it.each([
    ['00:00:0c:12:34:56', 'Cisco Systems, Inc'],
    ['00-00-0C-AB-CD-EF', 'Cisco Systems, Inc'],
    ['0000.0c12.3456', 'Cisco Systems, Inc'],
    ['00000C123456', 'Cisco Systems, Inc'],
    ['0:0:c:1:2:3', 'Cisco Systems, Inc'],
    ['  b8:27:eb:aa:bb:cc\n', 'Raspberry Pi Foundation'],
    ['dc:a6:32:01:02:03', 'Raspberry Pi Trading Ltd'],
    ['3c:5a:b4:00:00:01', 'Google, Inc.'],
    ['ac:de:48:00:11:22', 'Private'],
  ])('%j → %s (MA-L, first line only, trimmed)', (mac, vendor) => {
    expect(macVendor(mac)).toBe(vendor);
  });

  it('prefers the longest registry prefix: MA-S, then MA-M, then MA-L', () => {
    // 00:1b:c5 is an MA-L block IEEE sub-assigned as MA-S (36-bit) blocks.
    expect(macVendor('00:1b:c5:00:00:01')).toBe('Converging Systems Inc.');
    expect(macVendor('00:1b:c5:00:10:01')).toBe('OpenRB.com, Direct SIA');
    // 10:06:48 is sub-assigned as MA-M (28-bit) blocks.
    expect(macVendor('10:06:48:01:02:03')).toBe('FLEXTRONICS TECHNOLOGIES (INDIA) PVT LTD');
  });

  it('returns null for an unregistered OUI', () => {
    // Registrations grow with each dataset release, so find a currently unregistered prefix.
    const table = require('oui-data') as Record<string, string>;
    const registered = new Set(Object.keys(table).map((key) => key.slice(0, 6)));
    let free: string | undefined;
    for (let first = 0xfc; first >= 0 && free === undefined; first -= 4) {
      for (let rest = 0xffff; rest >= 0 && free === undefined; rest--) {
        const oui = ((first << 16) | rest).toString(16).toUpperCase().padStart(6, '0');
        if (!registered.has(oui)) free = oui;
      }
    }
    expect(free).toBeDefined();
    const hex = `${free}000001`;
    expect(macVendor(hex)).toBeNull();
    expect(macVendor(hex.match(/../g)?.join(':') ?? '')).toBeNull();
  });

  it('returns null for locally administered MACs, even where a legacy OUI has the bit set', () => {
    // Randomised phone MAC (x2/x6/xA/xE first nibble pattern).
    expect(macVendor('da:a1:19:12:34:56')).toBeNull();
    expect(macVendor('02:42:ac:11:00:02')).toBeNull(); // docker bridge
    // 02:07:01 is listed for RACAL-DATACOM, but the bit says "not a burned-in address".
    expect(macVendor('02:07:01:00:00:01')).toBeNull();
  });

  it('returns null for group addresses and the all-zero placeholder', () => {
    expect(macVendor('01:00:5e:00:00:fb')).toBeNull();
    expect(macVendor('33:33:00:00:00:01')).toBeNull();
    expect(macVendor('ff:ff:ff:ff:ff:ff')).toBeNull();
    expect(macVendor('11:11:11:00:00:00')).toBeNull(); // odd entry in the dataset, still a group address
    expect(macVendor('00:00:00:00:00:00')).toBeNull();
    expect(macVendor('00:00:00:00:00:01')).toBe('XEROX CORPORATION');
  });

  it.each([
    '',
    '   ',
    '00:00:0c',
    '00:00:0c:12:34',
    '00:00:0c:12:34:56:78',
    '00:00:0c-12:34:56',
    '000:00:0c:12:34:56',
    '00:00:0g:12:34:56',
    '00000C12345',
    '00000C1234567',
    '0000.0c12.345',
    '0000.0c12.3456.7890',
    '00 00 0c 12 34 56',
    'cisco',
  ])('returns null for malformed input %j', (mac) => {
    expect(macVendor(mac)).toBeNull();
    expect(macHexDigits(mac)).toBeNull();
    expect(isLocallyAdministered(mac)).toBe(false);
    expect(isMulticastMac(mac)).toBe(false);
  });
});

describe('macHexDigits', () => {
  it.each([
    ['aa:bb:cc:dd:ee:ff', 'AABBCCDDEEFF'],
    ['AA-BB-CC-DD-EE-FF', 'AABBCCDDEEFF'],
    ['aabb.ccdd.eeff', 'AABBCCDDEEFF'],
    ['aabbccddeeff', 'AABBCCDDEEFF'],
    ['a:b:c:d:e:f', '0A0B0C0D0E0F'],
    [' 0:1b:c5:0:0:1 ', '001BC5000001'],
  ])('%j → %s', (mac, hex) => {
    expect(macHexDigits(mac)).toBe(hex);
  });
});

describe('address bits', () => {
  it.each([
    ['00:00:0c:12:34:56', false, false],
    ['01:00:5e:00:00:01', false, true],
    ['02:00:00:00:00:01', true, false],
    ['03:00:00:00:00:01', true, true],
    ['da:a1:19:12:34:56', true, false],
    ['DE:AD:BE:EF:00:01', true, false],
    ['33:33:00:00:00:01', true, true],
    ['ff:ff:ff:ff:ff:ff', true, true],
    ['fc:ff:fe:00:00:01', false, false],
    ['0200.0000.0001', true, false],
    ['010000000001', false, true],
  ])('%s: locally administered %s, multicast %s', (mac, local, multicast) => {
    expect(isLocallyAdministered(mac)).toBe(local);
    expect(isMulticastMac(mac)).toBe(multicast);
  });
});
