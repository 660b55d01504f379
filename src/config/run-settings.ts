import type { DiscoveryConfig } from './config.ts';

/**
 * Configured values as the starting point of every run's effective settings (SPEC §5.3); the
 * domain's `effectiveSettings` applies preset and tags on top.
 */
export interface ConfiguredRunSettings {
  runtimeBudgetMs: number;
  maxTargets: number;
  pingTimeoutMs: number;
  pingWorkers: number;
  enrichMaxTargets: number;
  enrichWorkers: number;
  nameResolution: boolean;
  snmp: boolean;
  lldp: boolean;
  cdp: boolean;
  portScan: boolean;
  portScanWorkers: number;
  portScanTimeoutMs: number;
  portScanMaxTargets: number;
}

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
