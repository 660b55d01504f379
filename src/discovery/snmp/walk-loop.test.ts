import { describe, expect, it } from 'vitest';
import { compareOids, indexOf, isInSubtree } from './oid.ts';
import type { Varbind } from './snmp.types.ts';
import { bulkRequestsFor, FIRST_BULK_REPETITIONS, nextBulkRepetitions, walkSubtree } from './walk-loop.ts';

const row = (oid: string, value = 1): Varbind => ({ oid, type: 'integer', value });
const end = (oid: string): Varbind => ({ oid, type: 'endOfMibView', value: null });

/** A scripted agent: each call returns the next prepared batch. */
function scripted(batches: Varbind[][]): { next: (oid: string) => Promise<Varbind[]>; cursors: string[] } {
  const cursors: string[] = [];
  return {
    cursors,
    next: async (oid) => {
      cursors.push(oid);
      return batches.shift() ?? [];
    },
  };
}

describe('OID helpers', () => {
  it('orders by numeric component, not by text', () => {
    expect(compareOids('1.3.6.1.2.1.2.2.1.2.9', '1.3.6.1.2.1.2.2.1.2.10')).toBe(-1);
    expect(compareOids('1.3.6.1', '1.3.6.1.0')).toBe(-1);
    expect(compareOids('.1.3.6', '1.3.6')).toBe(0);
  });

  it('knows the subtree and the index of a row', () => {
    expect(isInSubtree('1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.2.5')).toBe(true);
    expect(isInSubtree('1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.20.5')).toBe(false);
    expect(isInSubtree('1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.2')).toBe(false);
    expect(indexOf('1.0.8802.1.1.2.1.4.1.1.9', '1.0.8802.1.1.2.1.4.1.1.9.1.24.2')).toEqual([1, 24, 2]);
  });
});

describe('walkSubtree', () => {
  const root = '1.3.6.1.2.1.2.2.1.2';

  it('follows batches from the last row and stops at the first endOfMibView', async () => {
    const agent = scripted([
      [row(`${root}.1`), row(`${root}.2`)],
      [row(`${root}.3`), end(`${root}.3`), end(`${root}.3`)],
    ]);
    const rows = await walkSubtree(root, agent.next);
    expect(rows.map((entry) => entry.oid)).toEqual([`${root}.1`, `${root}.2`, `${root}.3`]);
    expect(agent.cursors).toEqual([root, `${root}.2`]);
  });

  it('never returns a row outside the subtree and stops there', async () => {
    const agent = scripted([[row(`${root}.1`), row('1.3.6.1.2.1.2.2.1.3.1'), row(`${root}.9`)]]);
    const rows = await walkSubtree(root, agent.next);
    expect(rows.map((entry) => entry.oid)).toEqual([`${root}.1`]);
    expect(agent.cursors).toHaveLength(1);
  });

  it('stops at noSuchObject and at an empty answer', async () => {
    expect(await walkSubtree(root, scripted([[{ oid: root, type: 'noSuchObject', value: null }]]).next)).toEqual([]);
    expect(await walkSubtree(root, scripted([[row(`${root}.1`)], []]).next)).toHaveLength(1);
  });

  it('refuses an agent that goes backwards instead of looping forever', async () => {
    const agent = scripted([[row(`${root}.5`)], [row(`${root}.5`)]]);
    await expect(walkSubtree(root, agent.next)).rejects.toThrow(/out of order/);
  });

  it('fails a walk that exceeds the row bound', async () => {
    const agent = scripted([[row(`${root}.1`), row(`${root}.2`), row(`${root}.3`)]]);
    await expect(walkSubtree(root, agent.next, { maxRows: 2 })).rejects.toThrow(/exceeded 2 rows/);
  });

  it('stops between requests once aborted', async () => {
    const controller = new AbortController();
    const next = async (oid: string): Promise<Varbind[]> => {
      controller.abort();
      return [row(`${oid}.1`)];
    };
    await expect(walkSubtree(root, next, { signal: controller.signal })).rejects.toThrow('aborted');
  });
});

describe('GETBULK sizes of a walk', () => {
  it('starts small and doubles up to max-repetitions', () => {
    const sizes: number[] = [];
    let size: number | undefined;
    for (let request = 0; request < 6; request++) {
      size = nextBulkRepetitions(size, 25);
      sizes.push(size);
    }
    expect(sizes).toEqual([FIRST_BULK_REPETITIONS, 8, 16, 25, 25, 25]);
    expect(nextBulkRepetitions(undefined, 2)).toBe(2);
    expect(nextBulkRepetitions(undefined, 0)).toBe(1);
  });

  it('counts the requests a walk needs, the last one reaching past the subtree', () => {
    expect(bulkRequestsFor(0, 20)).toBe(1);
    expect(bulkRequestsFor(3, 20)).toBe(1);
    expect(bulkRequestsFor(4, 20)).toBe(2); // a full first answer cannot tell where the column ends
    expect(bulkRequestsFor(100, 20)).toBe(7); // 4 + 8 + 16 + 4 × 20 = 108 rows read
    expect(bulkRequestsFor(100, 1)).toBe(101);
  });
});
