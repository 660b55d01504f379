import type { Observation } from '../domain/identity.ts';
import type { Preset, RunSettings, ScanTag } from '../domain/run-settings.ts';
import type { EnrichmentConfig, EnrichmentProbes, EnrichmentSink } from './enrichment-context.ts';
import type { ProcessRunner } from './exec/process-runner.ts';
import type { LocalSegment } from './sweep.ts';

/** What the worker hands the engine: settings, the way out to storage, and the run's signal. */
export interface RunContext {
  runId: string;
  /** Canonical stored scope, or null (then only the neighbour table is read). */
  scope: string | null;
  preset: Preset;
  tags: readonly ScanTag[];
  settings: RunSettings;
  runDelayMs: number;
  arpTablePath: string;
  runner: ProcessRunner;
  /** Aborted on cancel, shutdown or deadline; `signal.reason` is a RunAbort. */
  signal: AbortSignal;
  log(level: 'info' | 'warn' | 'error', message: string): Promise<void>;
  progress(stage: string, done: number, total: number): void;
  fold(observations: Observation[]): Promise<FoldOutcome>;
  /** Enrichment and port scan: configuration, probes and where results go. Absent: both stages off. */
  enrichment?: { config: EnrichmentConfig; probes: EnrichmentProbes; sink: EnrichmentSink };
  /** This host's IPv4 networks; defaults to the real interfaces (tests pass their own). */
  localSegments?: () => LocalSegment[];
}

export interface FoldOutcome {
  deviceIds: string[];
  /** (device, ip) pairs in observation order: what enrichment and port scan work through. */
  targets: { deviceId: string; ip: string }[];
  devicesCreated: number;
  ipMoves: { ip: string; fromDeviceId: string; toDeviceId: string }[];
}

/** Why a run's signal fired. */
export class RunAbort extends Error {
  constructor(
    readonly kind: 'deadline' | 'canceled',
    message: string,
  ) {
    super(message);
    this.name = 'RunAbort';
  }
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'canceled';
  lastError: string | null;
  stats: Record<string, unknown>;
}
