import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Route-label value shared by every request that matched no route, to keep cardinality bounded. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface CoreMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'path' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'path' | 'status'>;
  readonly discoveryRuns: Counter;
  readonly discoveryRunDuration: Histogram;
  readonly discoveryRunsFinished: Counter<'status'>;
  readonly retentionRuns: Counter<'outcome'>;
  readonly retentionDeletedRows: Counter<'table'>;
  readonly retentionLastSuccess: Gauge;
  readonly alertDeliveries: Counter<'channel_type' | 'outcome'>;
}

/**
 * The metrics of SPEC §11.1 in a registry of their own (never the global one, so two apps in one
 * test process do not collide), plus Node process metrics.
 */
export function createMetrics(): CoreMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  dropTotalGauges(registry);
  const httpRequests = new Counter({
    name: 'roller_http_requests_total',
    help: 'HTTP requests handled by core, by method, route template and status.',
    labelNames: ['method', 'path', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'roller_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status.',
    labelNames: ['method', 'path', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const discoveryRuns = new Counter({
    name: 'roller_discovery_runs_total',
    help: 'Discovery runs claimed by a worker in this process.',
    registers: [registry],
  });
  const discoveryRunDuration = new Histogram({
    name: 'roller_discovery_run_duration_seconds',
    help: 'Claim-to-finish time of discovery runs, any outcome.',
    buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1200],
    registers: [registry],
  });
  const discoveryRunsFinished = new Counter({
    name: 'roller_discovery_runs_finished_total',
    help: 'Discovery runs that ended in this process, by final status.',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const retentionRuns = new Counter({
    name: 'roller_retention_runs_total',
    help: 'Scheduled retention runs this process carried out, by outcome (succeeded, failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const retentionDeletedRows = new Counter({
    name: 'roller_retention_deleted_rows_total',
    help: 'Rows deleted by retention runs in this process, by table.',
    labelNames: ['table'] as const,
    registers: [registry],
  });
  const retentionLastSuccess = new Gauge({
    name: 'roller_retention_last_success_timestamp_seconds',
    help: 'Unix time at which the last successful retention run of this process finished (0: none yet).',
    registers: [registry],
  });
  const alertDeliveries = new Counter({
    name: 'roller_alert_deliveries_total',
    help: 'Alert delivery outcomes in this process, by channel type and outcome (sent, retrying, failed, dropped, held).',
    labelNames: ['channel_type', 'outcome'] as const,
    registers: [registry],
  });
  return {
    registry,
    alertDeliveries,
    httpRequests,
    httpDuration,
    discoveryRuns,
    discoveryRunDuration,
    discoveryRunsFinished,
    retentionRuns,
    retentionDeletedRows,
    retentionLastSuccess,
  };
}

/**
 * `nodejs_active_handles_total` and friends are gauges; Prometheus reserves `_total` for counters and
 * `promtool check metrics` rejects them. Their per-type siblings (`nodejs_active_handles{type}`) carry
 * the same information, so the sums are dropped.
 */
function dropTotalGauges(registry: Registry): void {
  for (const metric of registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type?: string };
    if (name.endsWith('_total') && type === 'gauge') registry.removeSingleMetric(name);
  }
}
