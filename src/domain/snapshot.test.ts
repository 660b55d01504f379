import { describe, expect, it } from 'vitest';
import { csvField, normaliseIp, normaliseMac, parseSnapshot, snapshotCsvLine } from './snapshot.ts';

describe('snapshot rows', () => {
  it('normalises addresses to the forms the database prints', () => {
    expect(normaliseIp(' 10.0.0.5/24 ')).toBe('10.0.0.5');
    expect(normaliseIp('2001:DB8:0:0::5')).toBe('2001:db8::5');
    expect(normaliseIp('fe80::1%eth0')).toBeUndefined();
    expect(normaliseIp('10.0.0.256')).toBeUndefined();
    expect(normaliseMac('00-1B-21-AA-BB-CC')).toBe('00:1b:21:aa:bb:cc');
    expect(normaliseMac('001b.21aa.bbcc')).toBe('00:1b:21:aa:bb:cc');
    expect(normaliseMac('nope')).toBeUndefined();
  });

  it('normalises a valid row: metadata trimmed, blanks dropped, tags sorted, duplicates merged', () => {
    const parsed = parseSnapshot([
      {
        display_name: ' kept as typed ',
        metadata: { owner: '  Ops ', location: ' ', notes: null },
        tags: ['Switch', 'nas', 'switch'],
        ips: ['10.0.0.1', '10.0.0.1/32'],
      },
    ]);
    expect(parsed).toEqual({
      ok: true,
      rows: [
        {
          id: null,
          displayName: ' kept as typed ',
          metadata: { owner: 'Ops', location: null, notes: null },
          tags: ['nas', 'switch'],
          ips: ['10.0.0.1'],
          macs: [],
          createdAt: null,
        },
      ],
    });
  });

  it('accepts the three shapes and refuses others', () => {
    expect(parseSnapshot({ devices: [] })).toEqual({ ok: true, rows: [] });
    expect(parseSnapshot({ format: 'roller.devices', version: 1, devices: [] })).toEqual({ ok: true, rows: [] });
    expect(parseSnapshot({ exported_at: 'x', devices: [] }).ok).toBe(false);
    expect(parseSnapshot(null).ok).toBe(false);
  });
});

describe('snapshot CSV', () => {
  it('quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1')).toBe("'-1");
  });

  it('writes one CRLF-terminated line per device, lists joined by spaces', () => {
    expect(
      snapshotCsvLine({
        id: 'i',
        display_name: 'n',
        owner: null,
        location: 'Rack 1, U3',
        notes: null,
        tags: ['nas', 'server'],
        ips: ['10.0.0.1', '10.0.0.2'],
        macs: null,
        created_at: '2026-11-27T09:15:02.530761Z',
      }),
    ).toBe('i,n,,"Rack 1, U3",,nas server,10.0.0.1 10.0.0.2,,2026-11-27T09:15:02.530761Z\r\n');
  });
});
