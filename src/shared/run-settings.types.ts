/**
 * The settings of a discovery run before preset and tags apply (SPEC §5.3): built from
 * configuration, adjusted by the domain. A shared type so neither layer imports the other.
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
