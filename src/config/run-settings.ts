import type { ConfiguredRunSettings } from '../shared/run-settings.types.ts';
import type { DiscoveryConfig } from './config.ts';

export type { ConfiguredRunSettings };

/** Configured values as the starting point of every run's effective settings (SPEC §5.3). */
export function configuredRunSettings(config: DiscoveryConfig): ConfiguredRunSettings {
  return {
    runtimeBudgetMs: config.maxRuntimeMs,
    maxTargets: config.maxTargets,
    pingTimeoutMs: config.pingTimeoutMs,
    pingWorkers: config.pingWorkers,
    enrichMaxTargets: config.enrichMaxTargets,
    enrichWorkers: config.enrichWorkers,
    nameResolution: config.nameResolutionEnabled,
    snmp: config.snmp.enabled,
    lldp: config.topology.lldpEnabled,
    cdp: config.topology.cdpEnabled,
    portScan: config.portScan.enabled,
    portScanWorkers: config.portScan.workers,
    portScanTimeoutMs: config.portScan.timeoutMs,
    portScanMaxTargets: config.portScan.maxTargets,
  };
}
