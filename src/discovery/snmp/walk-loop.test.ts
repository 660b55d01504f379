import { describe, expect, it } from 'vitest';
import { compareOids, indexOf, isInSubtree } from './oid.ts';
import type { Varbind } from './snmp.types.ts';
import { walkSubtree } from './walk-loop.ts';

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
