import { describe, expect, it } from 'vitest';
import { mapPool } from './pool.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that records how many run at once. */
function tracked<T, R>(work: (item: T) => Promise<R>) {
  const state = { inFlight: 0, peak: 0, started: [] as T[] };
  const task = async (item: T): Promise<R> => {
    state.started.push(item);
    state.inFlight += 1;
    state.peak = Math.max(state.peak, state.inFlight);
    try {
      return await work(item);
    } finally {
      state.inFlight -= 1;
    }
  };
  return { state, task };
}

describe('mapPool', () => {
  it('returns results in input order, whatever order tasks finish in', async () => {
    const delays = [30, 5, 20, 0, 10];
    const results = await mapPool(delays, 3, async (ms) => {
      await sleep(ms);
      return `done-${ms}`;
    });
    expect(results).toEqual(['done-30', 'done-5', 'done-20', 'done-0', 'done-10']);
  });

  it('never runs more than the limit at once, and does use the limit', async () => {
    const { state, task } = tracked(async (n: number) => {
      await sleep(5);
      return n * 2;
    });
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(await mapPool(items, 4, task)).toEqual(items.map((n) => n * 2));
    expect(state.peak).toBe(4);
    expect(state.started).toEqual(items); // dispatched in input order
  });

  it('works with a limit above the item count, and treats a limit below 1 as 1', async () => {
    const wide = tracked(async (n: number) => n);
    expect(await mapPool([1, 2, 3], 50, wide.task)).toEqual([1, 2, 3]);
    expect(wide.state.peak).toBe(3);
    const serial = tracked(async (n: number) => {
      await sleep(1);
      return n;
    });
    expect(await mapPool([1, 2, 3], 0, serial.task)).toEqual([1, 2, 3]);
    expect(serial.state.peak).toBe(1);
  });

  it('returns an empty list for no items without calling the task', async () => {
    const { state, task } = tracked(async (n: number) => n);
    expect(await mapPool([], 4, task)).toEqual([]);
    expect(state.started).toEqual([]);
  });

  it('stops dispatching once the signal fires; in-flight tasks finish', async () => {
    const controller = new AbortController();
    const finished: number[] = [];
    const { state, task } = tracked(async (n: number) => {
      if (n === 2) controller.abort();
      await sleep(5);
      finished.push(n);
      return n;
    });
    const results = await mapPool([0, 1, 2, 3, 4, 5, 6, 7], 2, task, controller.signal);
    // 2 and 3 were already in flight (or 3 got dispatched while 2 ran); nothing after them starts.
    expect(state.started.length).toBeLessThanOrEqual(4);
    expect(state.started).toContain(2);
    expect(finished.sort()).toEqual([...state.started].sort());
    expect(results.slice(0, state.started.length)).toEqual(state.started);
    expect(results.filter((value) => value !== undefined)).toHaveLength(state.started.length);
  });

  it('starts nothing when the signal has already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const { state, task } = tracked(async (n: number) => n);
    await mapPool([1, 2, 3], 2, task, controller.signal);
    expect(state.started).toEqual([]);
  });

  it('rejects when a task rejects', async () => {
    await expect(
      mapPool([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('task 2 broke');
        return n;
      }),
    ).rejects.toThrow('task 2 broke');
  });
});
