/**
 * Device classification (SPEC §5.12): the tag taxonomy, the three suggestion rule sets (names,
 * SNMP sysDescr, open TCP ports) and how suggestions are merged, within one call and against a
 * stored row. Pure rules, no I/O: discovery feeds values in, storage writes what comes out.
 *
 * The rule tables are data so the API, the UI and the docs can show exactly what the engine does.
 * Deliberately no rules keyed on vendor names or sysObjectID enterprise numbers beyond SPEC's
 * lists: such tables rot quickly and misclassify multi-product vendors.
 */
import type { TagSuggestion } from './enrichment.types.ts';

export const DEVICE_TAGS = [
  'router',
  'switch',
  'access_point',
  'firewall',
  'printer',
  'server',
  'workstation',
  'nas',
  'camera',
  'vm_host',
  'iot',
] as const;
export type DeviceTag = (typeof DEVICE_TAGS)[number];

export interface TagDefinition {
  readonly tag: DeviceTag;
  /** Short label for the UI. */
  readonly label: string;
  /** One-line explanation for the UI. */
  readonly description: string;
  /** False for tags that exist only for operators: no rule ever suggests them. */
  readonly auto: boolean;
}

/** The taxonomy in SPEC order: the only valid tag values, for auto and manual tags alike. */
export const TAXONOMY: readonly TagDefinition[] = Object.freeze([
  { tag: 'router', label: 'Router', description: 'gateway / router', auto: true },
  { tag: 'switch', label: 'Switch', description: 'layer-2 switch', auto: true },
  { tag: 'access_point', label: 'Access point', description: 'wireless AP', auto: true },
  { tag: 'firewall', label: 'Firewall', description: 'firewall / VPN edge', auto: true },
  { tag: 'printer', label: 'Printer', description: 'printer / MFD', auto: true },
  { tag: 'server', label: 'Server', description: 'server or appliance', auto: false },
  { tag: 'workstation', label: 'Workstation', description: 'PC / laptop', auto: false },
  { tag: 'nas', label: 'NAS', description: 'storage / NAS', auto: true },
  { tag: 'camera', label: 'Camera', description: 'camera / NVR', auto: true },
  { tag: 'vm_host', label: 'VM host', description: 'hypervisor / VM host', auto: true },
  { tag: 'iot', label: 'IoT', description: 'IoT / embedded', auto: true },
] satisfies TagDefinition[]);

const TAG_SET: ReadonlySet<string> = new Set(DEVICE_TAGS);

export function isDeviceTag(value: string): value is DeviceTag {
  return TAG_SET.has(value);
}

/** Trim and lower-case a tag the way every input path does (manual lists, merging). */
export function normaliseTag(value: string): string {
  return value.trim().toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Rule set 1: names
// ---------------------------------------------------------------------------------------------

export interface NameRule {
  readonly tokens: readonly string[];
  readonly tag: DeviceTag;
  readonly match: string;
}

/** In SPEC order: the first row with a matching token wins. */
export const NAME_RULES: readonly NameRule[] = Object.freeze([
  { tokens: ['ap', 'wap', 'unifi', 'eap', 'wlan', 'wireless'], tag: 'access_point', match: 'ap' },
  { tokens: ['sw', 'switch'], tag: 'switch', match: 'switch' },
  { tokens: ['gw', 'router', 'gateway', 'edge'], tag: 'router', match: 'router' },
  {
    tokens: ['fw', 'firewall', 'pfsense', 'opnsense', 'fortigate', 'fortinet', 'paloalto', 'panos', 'asa'],
    tag: 'firewall',
    match: 'firewall',
  },
  { tokens: ['printer', 'hp', 'brother', 'epson', 'canon'], tag: 'printer', match: 'printer' },
  { tokens: ['nas', 'synology', 'qnap', 'truenas', 'freenas'], tag: 'nas', match: 'nas' },
  { tokens: ['esxi', 'vmware', 'proxmox', 'pve', 'hyperv', 'xen'], tag: 'vm_host', match: 'vm_host' },
  { tokens: ['cam', 'camera', 'nvr', 'dvr'], tag: 'camera', match: 'camera' },
  { tokens: ['iot'], tag: 'iot', match: 'iot' },
] satisfies NameRule[]);

export const NAME_RULE_CONFIDENCE = 70;

/** Lower-case, then split on every character outside a–z and 0–9 (so `hpe` is not `hp`). */
export function nameTokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((token) => token !== '');
}

/** At most one suggestion per name: the first rule with a token equal to one of the name's tokens. */
export function suggestFromName(name: string): TagSuggestion | null {
  const tokens = new Set(nameTokens(name));
  if (tokens.size === 0) return null;
  const rule = NAME_RULES.find((candidate) => candidate.tokens.some((token) => tokens.has(token)));
  if (!rule) return null;
  return { tag: rule.tag, confidence: NAME_RULE_CONFIDENCE, evidence: { signal: 'name', name, match: rule.match } };
}

/** Rule set 1 over every collected name (resolver names and SNMP sysName); unmerged. */
export function suggestFromNames(names: readonly string[]): TagSuggestion[] {
  const out: TagSuggestion[] = [];
  for (const name of names) {
    const suggestion = suggestFromName(name);
    if (suggestion) out.push(suggestion);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rule set 2: SNMP sysDescr
// ---------------------------------------------------------------------------------------------

export interface SysDescrRule {
  /** Lower-case substrings; any one matches. */
  readonly contains: readonly string[];
  readonly tag: DeviceTag;
  readonly confidence: number;
  readonly match: string;
}

/** Mutually exclusive: only the first matching row applies. */
export const SYS_DESCR_PRIMARY_RULES: readonly SysDescrRule[] = Object.freeze([
  { contains: ['access point', 'wireless'], tag: 'access_point', confidence: 90, match: 'access_point' },
  { contains: ['switch'], tag: 'switch', confidence: 90, match: 'switch' },
  { contains: ['router', 'routing'], tag: 'router', confidence: 88, match: 'router' },
] satisfies SysDescrRule[]);

/** Each row applies independently of the others and of the primary rows. */
export const SYS_DESCR_EXTRA_RULES: readonly SysDescrRule[] = Object.freeze([
  {
    contains: ['firewall', 'pfsense', 'opnsense', 'fortigate', 'pan-os', 'palo alto'],
    tag: 'firewall',
    confidence: 90,
    match: 'firewall',
  },
  { contains: ['vmware esxi', 'proxmox', 'hyper-v'], tag: 'vm_host', confidence: 88, match: 'vm_host' },
  { contains: ['synology', 'qnap', 'truenas', 'freenas'], tag: 'nas', confidence: 86, match: 'nas' },
  { contains: ['printer'], tag: 'printer', confidence: 82, match: 'printer' },
] satisfies SysDescrRule[]);

export const SYS_DESCR_EVIDENCE_MAX = 240;
const ELLIPSIS = '…';

/**
 * At most `max` characters; when cut, the last kept character is replaced by "…". Counts code
 * points, not UTF-16 units, so an emoji or other astral character is never split in half.
 */
export function truncateForEvidence(text: string, max: number = SYS_DESCR_EVIDENCE_MAX): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}

export function suggestFromSysDescr(sysDescr: string | null | undefined): TagSuggestion[] {
  if (sysDescr === null || sysDescr === undefined) return [];
  const lower = sysDescr.toLowerCase();
  if (lower.trim() === '') return [];
  const hits = (rule: SysDescrRule) => rule.contains.some((needle) => lower.includes(needle));
  const rules: SysDescrRule[] = [];
  const primary = SYS_DESCR_PRIMARY_RULES.find(hits);
  if (primary) rules.push(primary);
  rules.push(...SYS_DESCR_EXTRA_RULES.filter(hits));
  const shown = truncateForEvidence(sysDescr);
  return rules.map((rule) => ({
    tag: rule.tag,
    confidence: rule.confidence,
    evidence: { signal: 'snmp', match: rule.match, sys_descr: shown },
  }));
}

// ---------------------------------------------------------------------------------------------
// Rule set 3: open TCP ports
// ---------------------------------------------------------------------------------------------

export interface PortRule {
  /** The rule holds when every group has at least one open port. */
  readonly allOf: readonly (readonly number[])[];
  readonly tag: DeviceTag;
  readonly confidence: number;
}

export const PORT_RULES: readonly PortRule[] = Object.freeze([
  { allOf: [[9100, 515, 631]], tag: 'printer', confidence: 85 },
  { allOf: [[554, 8554]], tag: 'camera', confidence: 82 },
  { allOf: [[53], [67, 68]], tag: 'router', confidence: 80 },
  { allOf: [[2049, 3260]], tag: 'nas', confidence: 78 },
] satisfies PortRule[]);

/**
 * Rule set 3. The caller passes the open TCP ports of one device (nmap `-sT` results); evidence
 * lists the rule's ports that are open, ascending and without duplicates.
 */
export function suggestFromOpenPorts(openTcpPorts: Iterable<number>): TagSuggestion[] {
  const open = new Set(openTcpPorts);
  const out: TagSuggestion[] = [];
  for (const rule of PORT_RULES) {
    const groupsOpen = rule.allOf.map((group) => group.filter((port) => open.has(port)));
    if (groupsOpen.some((group) => group.length === 0)) continue;
    const ports = [...new Set(groupsOpen.flat())].sort((a, b) => a - b);
    out.push({ tag: rule.tag, confidence: rule.confidence, evidence: { signal: 'ports', ports } });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Merging
// ---------------------------------------------------------------------------------------------

const MAX_CONFIDENCE = 100;

/**
 * Merge suggestions made within one call (SPEC §5.12). Tags are trimmed and lower-cased; unknown
 * tags and confidences that are ≤ 0 or not finite are dropped; confidences above 100 are capped.
 * Per tag the highest-confidence suggestion is kept (the first one in input order on a tie) and
 * the evidence of the others is merged into it, shallowly. When several carry the same evidence
 * key, the value from the highest-confidence suggestion wins; between equal confidences, the one
 * earlier in the input wins. Output: confidence DESC, then tag ASC. Inputs are never mutated.
 */
export function mergeSuggestions(suggestions: readonly TagSuggestion[]): TagSuggestion[] {
  const groups = new Map<string, { confidence: number; evidence: Record<string, unknown> }[]>();
  for (const suggestion of suggestions) {
    const tag = normaliseTag(suggestion.tag);
    const { confidence } = suggestion;
    if (!isDeviceTag(tag) || !Number.isFinite(confidence) || confidence <= 0) continue;
    const group = groups.get(tag) ?? [];
    group.push({ confidence: Math.min(confidence, MAX_CONFIDENCE), evidence: suggestion.evidence ?? {} });
    groups.set(tag, group);
  }
  const merged: TagSuggestion[] = [];
  for (const [tag, group] of groups) {
    // Stable sort: equal confidences keep input order, so the earlier one ranks higher.
    const ranked = [...group].sort((a, b) => b.confidence - a.confidence);
    const evidence: Record<string, unknown> = {};
    for (let i = ranked.length - 1; i >= 0; i--) Object.assign(evidence, ranked[i]?.evidence);
    merged.push({ tag, confidence: ranked[0]?.confidence ?? 0, evidence });
  }
  return merged.sort((a, b) => b.confidence - a.confidence || compareTags(a.tag, b.tag));
}

function compareTags(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a stored auto tag row holds; `evidence` is a nullable jsonb column. */
export interface StoredTagValue {
  confidence: number;
  evidence: Record<string, unknown> | null;
}

/**
 * Persistence rule for auto tags upserted on (device, tag, 'auto'): keep the higher confidence and
 * merge evidence shallowly, the new suggestion's keys winning (the same as jsonb `old || new`).
 * With no stored row the suggestion is returned as a copy.
 */
export function mergeStoredTag(stored: StoredTagValue | null | undefined, next: TagSuggestion): TagSuggestion {
  if (!stored) return { tag: next.tag, confidence: next.confidence, evidence: { ...next.evidence } };
  return {
    tag: next.tag,
    confidence: Math.max(stored.confidence, next.confidence),
    evidence: { ...(stored.evidence ?? {}), ...next.evidence },
  };
}

// ---------------------------------------------------------------------------------------------
// One device
// ---------------------------------------------------------------------------------------------

export interface ClassificationInput {
  /** Resolver names and SNMP sysName. */
  names?: readonly string[];
  sysDescr?: string | null;
  openTcpPorts?: Iterable<number>;
}

/** All three rule sets over one device's signals, merged. */
export function suggestTags(input: ClassificationInput): TagSuggestion[] {
  return mergeSuggestions([
    ...suggestFromNames(input.names ?? []),
    ...suggestFromSysDescr(input.sysDescr),
    ...suggestFromOpenPorts(input.openTcpPorts ?? []),
  ]);
}
