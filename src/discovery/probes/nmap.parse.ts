import { isIP } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ServiceSighting } from '../../domain/enrichment.types.ts';

/**
 * nmap's XML (`-oX -`) read with fast-xml-parser. Elements that may repeat are always arrays
 * (`isArray`), so one host or one port reads like many; `htmlEntities` decodes the `&#45;`
 * nmap writes into its args attribute and any entity in service names. `<hosthint>` (nmap's
 * "this host is up" note before the scan) and `<extraports>` (the count of closed/filtered ports
 * it did not list) are ignored: neither names an open port.
 */

export interface NmapHostResult {
  ip: string;
  /** From an `<address addrtype="mac">` (root scans on the local segment); lower case. */
  mac: string | null;
  /** Open tcp/udp ports 1–65535 (source nmap) in document order, one per protocol and port; name null when blank or "unknown". */
  services: ServiceSighting[];
  /** nmap gave up on this host at --host-timeout: the list may be incomplete. */
  timedOut: boolean;
}

export interface NmapScanReport {
  /** Every host nmap reported (without `--open`: every host it finished or gave up on). A target missing here was not scanned. */
  hosts: NmapHostResult[];
  /** The document was cut off (nmap killed or output capped); read up to its last complete host. */
  truncated: boolean;
  /** `<finished exit="error" errormsg=…>`: nmap itself reported a failure. */
  nmapError: string | null;
}

export type NmapParseOutcome = { ok: true; value: NmapScanReport } | { ok: false; error: string };

const REPEATED = new Set([
  'nmaprun.host',
  'nmaprun.host.address',
  'nmaprun.host.ports.port',
  'nmaprun.host.hostnames.hostname',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  htmlEntities: true,
  parseAttributeValue: false, // keep "0001" and friends as text; numbers are checked by hand
  parseTagValue: false,
  isArray: (_name, jpath) => REPEATED.has(String(jpath)),
});

export function parseNmapXml(xml: string): NmapParseOutcome {
  if (xml.trim() === '') return { ok: false, error: 'nmap wrote no XML' };
  let source = xml;
  let truncated = false;
  if (XMLValidator.validate(source) !== true) {
    const salvaged = salvage(source);
    if (salvaged === null) return { ok: false, error: `unparsable nmap XML: ${describeInvalid(source)}` };
    source = salvaged;
    truncated = true;
  }
  let document: unknown;
  try {
    document = parser.parse(source);
  } catch (error) {
    return { ok: false, error: `unparsable nmap XML: ${(error as Error).message}` };
  }
  const run = record(record(document)?.nmaprun);
  if (!run) return { ok: false, error: 'not nmap XML (no <nmaprun> element)' };
  const finished = record(record(run.runstats)?.finished);
  const nmapError = finished?.exit === 'error' ? text(finished.errormsg) || 'nmap reported an error' : null;
  return { ok: true, value: { hosts: list(run.host).flatMap(readHost), truncated, nmapError } };
}

/** A document nmap did not finish: keep everything up to the last complete `</host>`. */
function salvage(xml: string): string | null {
  const start = xml.indexOf('<nmaprun');
  const end = xml.lastIndexOf('</host>');
  if (start < 0 || end < start) return null;
  const candidate = `${xml.slice(0, end + '</host>'.length)}\n</nmaprun>\n`;
  return XMLValidator.validate(candidate) === true ? candidate : null;
}

function describeInvalid(xml: string): string {
  const result = XMLValidator.validate(xml);
  if (result === true) return 'valid';
  return `${result.err.msg} (line ${result.err.line})`;
}

function readHost(value: unknown): NmapHostResult[] {
  const host = record(value);
  if (!host) return [];
  const addresses = list(host.address).map(record);
  // addrtype defaults to ipv4 in nmap.dtd; the address itself must be an IP either way.
  const ipEntry = addresses.find(
    (address) => ['ipv4', 'ipv6', undefined].includes(address?.addrtype as string) && isIP(text(address?.addr)) !== 0,
  );
  const ip = text(ipEntry?.addr);
  if (!ip) return [];
  const macEntry = addresses.find((address) => address?.addrtype === 'mac');
  const mac = text(macEntry?.addr).toLowerCase() || null;
  const services: ServiceSighting[] = [];
  const seen = new Set<string>();
  for (const entry of list(record(host.ports)?.port)) {
    const port = record(entry);
    const protocol = text(port?.protocol).toLowerCase();
    const portId = text(port?.portid);
    const state = text(record(port?.state)?.state).toLowerCase();
    if (state !== 'open' || (protocol !== 'tcp' && protocol !== 'udp') || !/^\d{1,5}$/.test(portId)) continue;
    const number = Number(portId);
    if (number < 1 || number > 65_535 || seen.has(`${protocol}/${number}`)) continue;
    seen.add(`${protocol}/${number}`);
    const name = text(record(port?.service)?.name);
    // "unknown" is nmap's placeholder for a port missing from its services table, not a name.
    const known = name === '' || name.toLowerCase() === 'unknown' ? null : name;
    services.push({ protocol, port: number, name: known, source: 'nmap' });
  }
  return [{ ip, mac, services, timedOut: host.timedout === 'true' }];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}
