import { describe, expect, it } from 'vitest';
import { inspectSnapshotText, isCsvFile, rowLines, snapshotProblemsOf } from './snapshot-file.ts';

describe('snapshot file inspection', () => {
  it('finds the line of every row in the export format (one device per line)', () => {
    const text =
      '{"format":"roller.devices","version":1,"exported_at":"2026-11-27T09:15:02.530Z","devices":[\n{"id":"a"},\n{"id":"b"}\n]}\n';
    expect(rowLines(text)).toEqual([2, 3]);
    const info = inspectSnapshotText(text);
    expect(info).toMatchObject({
      ok: true,
      shape: 'document',
      version: 1,
      rows: [
        { id: 'a', line: 2 },
        { id: 'b', line: 3 },
      ],
    });
  });

  it('is not confused by brackets, quotes and a "devices" key inside strings or nested objects', () => {
    const text = JSON.stringify(
      {
        note: 'not [ the list ] "devices"',
        devices: [{ display_name: 'a ] b', metadata: { notes: '{"devices": [1,2]}' }, tags: ['x'] }, 5, null, [1]],
      },
      null,
      2,
    );
    const lines = text.split('\n');
    const expected = [
      lines.indexOf('    {') + 1,
      lines.indexOf('    5,') + 1,
      lines.indexOf('    null,') + 1,
      lines.indexOf('    [') + 1,
    ];
    expect(rowLines(text)).toEqual(expected);
    expect(inspectSnapshotText(text)).toMatchObject({
      ok: true,
      shape: 'wrapper',
      rows: [{ name: 'a ] b' }, {}, {}, {}],
    });
  });

  it('reads a bare array and refuses what is not a snapshot', () => {
    expect(inspectSnapshotText('[{"id":"a"},\n{"id":"b"}]')).toMatchObject({
      ok: true,
      shape: 'array',
      rows: [{ line: 1 }, { line: 2 }],
    });
    expect(inspectSnapshotText('')).toMatchObject({ ok: false, message: 'The file is empty.' });
    expect(inspectSnapshotText('{"devices": [')).toMatchObject({ ok: false });
    expect(inspectSnapshotText('{"format":"roller.devices"}')).toMatchObject({ ok: false });
    expect(inspectSnapshotText('42')).toMatchObject({ ok: false });
  });

  it('recognises CSV files by name or type', () => {
    expect(isCsvFile({ name: 'roller-devices-2026-11-27.csv', type: '' })).toBe(true);
    expect(isCsvFile({ name: 'export', type: 'text/csv' })).toBe(true);
    expect(isCsvFile({ name: 'roller.json', type: 'application/json' })).toBe(false);
  });

  it('reads the per-row problems of a refused import', () => {
    expect(
      snapshotProblemsOf({
        errors: [
          { index: 1, path: '/id', reason: 'must match format "uuid"' },
          { path: '/format', reason: 'bad' },
        ],
      }),
    ).toEqual([
      { index: 1, path: '/id', reason: 'must match format "uuid"' },
      { index: undefined, path: '/format', reason: 'bad' },
    ]);
    expect(snapshotProblemsOf(undefined)).toEqual([]);
    expect(snapshotProblemsOf({ errors: 'nope' })).toEqual([]);
  });
});
