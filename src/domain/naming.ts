/**
 * Name hints and how a display name is chosen among them (SPEC §5.11).
 */
export const NAME_SOURCE_SCORES: Record<string, number> = {
  dhcp: 95,
  reverse_dns: 90,
  snmp: 88,
  lldp: 86,
  cdp: 86,
  mdns: 80,
  netbios: 78,
  manual: 70,
};
const DEFAULT_SOURCE_SCORE = 50;
/** Candidates below this never become a display name automatically. */
export const MIN_AUTO_NAME_SCORE = 70;

const GARBAGE_NAMES = new Set(['workgroup', 'mshome', '__msbrowse__', 'localdomain', 'localhost']);
const LOWER_CASED_SOURCES = new Set(['reverse_dns', 'mdns']);

export interface NameCandidate {
  source: string;
  /** Normalised stored name. */
  name: string;
  /** What a person sees: the first DNS label of a dotted name. */
  displayName: string;
  score: number;
  valid: boolean;
}

export function normaliseNameCandidate(rawSource: string, rawName: string): NameCandidate {
  const source = rawSource.trim().toLowerCase();
  let name = rawName.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (LOWER_CASED_SOURCES.has(source)) name = name.toLowerCase();
  const displayName = name.includes('.') && !/\s/.test(name) ? (name.split('.')[0] ?? name) : name;
  const lower = name.toLowerCase();
  const garbage =
    name === '' || lower.includes('in-addr.arpa') || lower.includes('ip6.arpa') || GARBAGE_NAMES.has(lower);
  if (garbage) return { source, name, displayName, score: 0, valid: false };
  let score = NAME_SOURCE_SCORES[source] ?? DEFAULT_SOURCE_SCORE;
  if (displayName.length < 2) score -= 50;
  if (/[ \t]/.test(displayName)) score -= 25;
  if (!/^[A-Za-z0-9_-]+$/.test(displayName)) score -= 20;
  if (lower.endsWith('.local') || lower.endsWith('.localdomain')) score -= 5;
  return { source, name, displayName, score, valid: true };
}

/** The best automatic display name among candidates, or undefined if none is good enough. */
export function chooseDisplayName(candidates: readonly NameCandidate[]): NameCandidate | undefined {
  const eligible = candidates.filter((candidate) => candidate.valid && candidate.score >= MIN_AUTO_NAME_SCORE);
  eligible.sort(
    (a, b) =>
      b.score - a.score ||
      a.displayName.length - b.displayName.length ||
      compareText(a.displayName, b.displayName) ||
      compareText(a.name, b.name),
  );
  return eligible[0];
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
