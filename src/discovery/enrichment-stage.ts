import type { NameHint, SnmpDeviceReport } from '../domain/enrichment.types.ts';
import { type NameCandidate, normaliseNameCandidate } from '../domain/naming.ts';
import { cidrListContains } from '../domain/scope.ts';
import type { NameLookups } from './enrichment-context.ts';
import { mapPool } from './pool.ts';
import type { RunContext } from './run-context.ts';
import { localSegments } from './sweep.ts';

export interface EnrichmentTarget {
  deviceId: string;
  ip: string;
}

export interface EnrichmentResult {
  stats: Record<string, unknown>;
  /** Devices whose enrichment ran (their auto tags were recomputed). */
  processed: string[];
}

/** Walk failures logged per run at most; the counters carry the rest. */
const MAX_WALK_FAILURE_LINES = 100;
const WALKS = ['interfaces', 'addresses', 'vlans', 'fdb', 'lldp', 'cdp'] as const;

/**
 * Enrichment (SPEC §5.9, with G-17, G-26 and G-31 fixed): for each device found by the run, once,
 * from its first address: name lookups (reverse DNS, mDNS, NetBIOS, each with its own budget) and
 * SNMP (credential sets in order, then independent walks of interfaces, addresses, VLANs, FDB,
 * LLDP and CDP) run side by side; results are stored per device as they arrive. A pool of
 * enrichment workers bounds concurrency; the run's deadline stops dispatch and marks the stats
 * `canceled` but never fails the run.
 */
export async function enrich(ctx: RunContext, targets: readonly EnrichmentTarget[]): Promise<EnrichmentResult> {
  const enrichment = ctx.enrichment;
  const settings = ctx.settings;
  const namesOn = settings.nameResolution;
  const snmpOn = settings.snmp;
  if (!enrichment || (!namesOn && !snmpOn)) return { stats: {}, processed: [] };
  const { config, probes, sink } = enrichment;

  const perDevice = dedupeByDevice(targets).slice(0, settings.enrichMaxTargets);
  const stats = {
    targets: perDevice.length,
    snmp_ok: 0,
    snmp_failed: 0,
    names_written: 0,
    vlans_written: 0,
    links_written: 0,
    interfaces_written: 0,
    fdb_written: 0,
    neighbour_devices_created: 0,
    mdns_services: 0,
    walk_failures: 0,
  } as Record<string, number | boolean>;
  const bump = (key: string, by = 1): void => {
    stats[key] = (stats[key] as number) + by;
  };
  let walkFailureLines = 0;
  const processed: string[] = [];
  if (perDevice.length === 0) return { stats, processed };

  const lookups: NameLookups | undefined = namesOn
    ? await probes.openNameLookups(
        config.names,
        (ctx.localSegments ?? localSegments)().map((segment) => segment.address),
      )
    : undefined;
  const hints = snmpOn ? await sink.snmpCredentialHints(perDevice.map((target) => target.deviceId)) : new Map();
  let done = 0;
  ctx.progress('enrichment', 0, perDevice.length);
  try {
    const outcome = await mapPool(
      perDevice,
      settings.enrichWorkers,
      async (target) => {
        const snmpAllowed =
          snmpOn && (config.snmp.allowlist.length === 0 || cidrListContains(config.snmp.allowlist, target.ip));
        const [names, snmp] = await Promise.all([
          lookups ? lookups.resolve(target.ip, ctx.signal) : undefined,
          snmpAllowed ? probes.probeSnmp(target.ip, config.snmp, hints.get(target.deviceId), ctx.signal) : undefined,
        ]);
        const browsed = lookups ? await lookups.browse() : undefined;
        const collected: NameHint[] = [...(names?.hints ?? []), ...(browsed?.names.get(target.ip) ?? [])];
        if (snmp?.ok && snmp.system.sysName) collected.push({ source: 'snmp', name: snmp.system.sysName });
        bump('names_written', await sink.saveNames(target.deviceId, target.ip, candidatesOf(collected)));

        if (snmp?.ok) {
          bump('snmp_ok');
          const topology = cidrListContains(config.topologyAllowlist, target.ip);
          try {
            const read = await snmp.device.read({
              lldp: settings.lldp && topology,
              cdp: settings.cdp && topology,
              signal: ctx.signal,
            });
            const report: SnmpDeviceReport = { ...read, system: snmp.system, credential: snmp.credential };
            const saved = await sink.saveSnmp(target.deviceId, report);
            bump('interfaces_written', saved.interfaces);
            bump('vlans_written', saved.vlans);
            bump('links_written', saved.links);
            bump('fdb_written', saved.fdb);
            bump('neighbour_devices_created', saved.devicesCreated);
            for (const walk of WALKS) {
              const result = report[walk];
              if (result && !result.ok) {
                bump('walk_failures');
                if (walkFailureLines++ < MAX_WALK_FAILURE_LINES) {
                  await ctx.log('warn', `snmp ${target.ip}: ${walk} walk failed: ${result.error}`);
                }
              }
            }
          } finally {
            snmp.device.close();
          }
        } else if (snmp) {
          bump('snmp_failed');
          await sink.saveSnmpFailure(target.deviceId, target.ip, snmp.error);
        }
        processed.push(target.deviceId);
        ctx.progress('enrichment', ++done, perDevice.length);
        return true;
      },
      ctx.signal,
    );
    // The deadline (or a cancel) stopped dispatch before every device had its turn.
    if (outcome.filter(Boolean).length < perDevice.length) stats.canceled = true;

    if (lookups && !ctx.signal.aborted) {
      const { services } = await lookups.browse();
      for (const target of perDevice) {
        const advertised = services.get(target.ip);
        if (!advertised?.length) continue;
        bump('mdns_services', await sink.saveServices(target.deviceId, { scannedTcpPorts: [], open: advertised }));
      }
    }
  } finally {
    await lookups?.close();
  }
  await sink.reclassify(processed);
  return { stats, processed };
}

/** SPEC §5.9: each device once, from the first of its addresses in target order. */
function dedupeByDevice(targets: readonly EnrichmentTarget[]): EnrichmentTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => !seen.has(target.deviceId) && seen.add(target.deviceId));
}

/** Normalised and valid, each (source, name) once whatever its case. */
function candidatesOf(hints: readonly NameHint[]): NameCandidate[] {
  const seen = new Set<string>();
  const out: NameCandidate[] = [];
  for (const hint of hints) {
    const candidate = normaliseNameCandidate(hint.source, hint.name);
    const key = `${candidate.source}|${candidate.name.toLowerCase()}`;
    if (!candidate.valid || seen.has(key)) continue;
    seen.add(key);
    out.push(candidate);
  }
  return out;
}
