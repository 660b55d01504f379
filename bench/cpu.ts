import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

/**
 * Where the CPU went during a phase, in cores (1.0 = one core busy for the whole phase). On a small
 * machine anything else running (a test suite, a build) shifts the figures, so every phase records
 * how much of the machine was taken by others. Linux only (/proc); elsewhere the fields are null.
 */
export interface CpuUsage {
  machineCores: number | null;
  /** This process: HTTP server, driver, autocannon's worker thread, and PGlite when it is the backend. */
  benchCores: number;
  /** The PostgreSQL backends serving this bench's connections. */
  databaseCores: number | null;
  /** Everything else on the machine: other processes, PostgreSQL's own background workers. */
  otherCores: number | null;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Snapshot {
  at: number;
  machine: { busy: number; total: number } | null;
  processMicros: number;
  backendTicks: number | null;
}

export async function measureCpu<T>(
  backendPids: () => Promise<readonly number[]>,
  phase: () => Promise<T>,
): Promise<{ result: T; cpu: CpuUsage; seconds: number }> {
  const pids = await backendPids();
  const before = snapshot(pids);
  const result = await phase();
  const after = snapshot(pids);
  const seconds = (after.at - before.at) / 1000;
  const machine =
    before.machine && after.machine
      ? ((after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)) * cpus().length
      : null;
  const bench = (after.processMicros - before.processMicros) / 1e6 / seconds;
  const database =
    before.backendTicks === null || after.backendTicks === null
      ? null
      : (after.backendTicks - before.backendTicks) / TICKS_PER_SECOND / seconds;
  return {
    result,
    seconds,
    cpu: {
      machineCores: round(machine),
      benchCores: round(bench) ?? 0,
      databaseCores: round(database),
      otherCores: machine === null ? null : round(Math.max(0, machine - bench - (database ?? 0))),
    },
  };
}

/** The time-weighted mean of several measured stretches of one phase. */
export function averageCpu(parts: readonly { cpu: CpuUsage; seconds: number }[]): CpuUsage {
  const total = parts.reduce((sum, part) => sum + part.seconds, 0);
  const mean = (pick: (cpu: CpuUsage) => number | null): number | null => {
    if (total === 0 || parts.some((part) => pick(part.cpu) === null)) return null;
    return round(parts.reduce((sum, part) => sum + (pick(part.cpu) ?? 0) * part.seconds, 0) / total);
  };
  return {
    machineCores: mean((cpu) => cpu.machineCores),
    benchCores: mean((cpu) => cpu.benchCores) ?? 0,
    databaseCores: mean((cpu) => cpu.databaseCores),
    otherCores: mean((cpu) => cpu.otherCores),
  };
}

/** The 1-minute load average relative to the core count, to warn before measuring on a busy machine. */
export function machineLoad(): { loadAverage: number; cores: number } {
  return { loadAverage: round(loadavg()[0] ?? 0) ?? 0, cores: cpus().length };
}

function snapshot(pids: readonly number[]): Snapshot {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    machine: machineTicks(),
    processMicros: usage.user + usage.system,
    backendTicks: pids.length === 0 ? null : sumProcessTicks(pids),
  };
}

function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function sumProcessTicks(pids: readonly number[]): number | null {
  let sum = 0;
  for (const pid of pids) {
    try {
      // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      sum += Number(fields[11]) + Number(fields[12]);
    } catch {
      return null;
    }
  }
  return sum;
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}
