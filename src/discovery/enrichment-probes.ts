import type { EnrichmentProbes } from './enrichment-context.ts';
import { openNameLookups } from './names/name-lookups.ts';
import { probeSnmp } from './snmp/snmp-probe.ts';

/** The real probes: UDP name lookups (names/) and the SNMP client (snmp/, the only net-snmp user). */
export const realEnrichmentProbes: EnrichmentProbes = {
  openNameLookups: (config, interfaceAddresses) => openNameLookups(config, interfaceAddresses),
  probeSnmp: (address, config, preferred, signal) => probeSnmp(address, config, preferred, signal),
};
