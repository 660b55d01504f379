import type { DiscoveryConfig } from '../config/config.ts';
import type { EnrichmentConfig } from '../discovery/enrichment-context.ts';

/** The configured enrichment and port-scan settings the engine needs, as plain values. */
export function enrichmentConfig(config: DiscoveryConfig): EnrichmentConfig {
  const cidrs = (prefixes: readonly { cidr: string }[]) => prefixes.map((prefix) => prefix.cidr);
  return {
    names: { ...config.names },
    snmp: {
      credentials: config.snmp.credentials,
      allowlist: cidrs(config.snmp.allowlist),
      port: config.snmp.port,
      timeoutMs: config.snmp.timeoutMs,
      retries: config.snmp.retries,
      maxRepetitions: config.snmp.maxRepetitions,
    },
    topologyAllowlist: cidrs(config.topology.allowlist),
    portScan: { allowlist: cidrs(config.portScan.allowlist), ports: config.portScan.ports },
  };
}
