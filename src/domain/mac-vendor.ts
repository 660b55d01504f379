/**
 * MAC address → manufacturer, from the IEEE registries shipped offline by the npm package
 * `oui-data` (BSD-2-Clause per its package.json; generated from the IEEE MA-L/MA-M/MA-S registries and
 * actively released).
 * Chosen because it needs no network at run time (Roller runs on isolated networks), is plain data
 * with no code or dependencies, and covers all three registries, so a block that IEEE sub-assigns
 * (MA-M, MA-S) resolves to its real owner rather than "IEEE Registration Authority".
 *
 * The dataset is a ~5.6 MB JSON object; it is loaded on the first lookup, once per process
 * (measured: 70–120 ms and ~10 MB of retained heap, ~30 MB RSS), never at import time.
 */
import { createRequire } from 'node:module';

/** Keys: 6 (MA-L), 7 (MA-M) or 9 (MA-S) upper-case hex digits; value: organisation + address lines. */
type OuiTable = Readonly<Record<string, string | undefined>>;

let table: OuiTable | undefined;

function ouiTable(): OuiTable {
  // createRequire rather than a static JSON import: synchronous, lazy, and the module cache
  // keeps the parsed object for the life of the process.
  table ??= createRequire(import.meta.url)('oui-data') as OuiTable;
  return table;
}

const SEPARATED =
  /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/;
const CISCO_DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/;
const BARE = /^[0-9a-f]{12}$/;

/**
 * The 12 upper-case hex digits of a MAC, or null when the text is not one MAC. Accepts
 * `aa:bb:cc:dd:ee:ff`, `aa-bb-…`, single-digit octets as BSD `arp` prints them (`0:1b:…`),
 * Cisco `aabb.ccdd.eeff` and bare `aabbccddeeff`, in any case, with surrounding blanks.
 */
export function macHexDigits(mac: string): string | null {
  const text = mac.trim().toLowerCase();
  let hex: string | null = null;
  const separated = SEPARATED.exec(text);
  if (separated) {
    hex = [1, 3, 4, 5, 6, 7].map((group) => (separated[group] ?? '').padStart(2, '0')).join('');
  } else {
    const dotted = CISCO_DOTTED.exec(text);
    if (dotted) hex = `${dotted[1]}${dotted[2]}${dotted[3]}`;
    else if (BARE.test(text)) hex = text;
  }
  return hex === null ? null : hex.toUpperCase();
}

function firstOctet(mac: string): number | null {
  const hex = macHexDigits(mac);
  return hex === null ? null : Number.parseInt(hex.slice(0, 2), 16);
}

/** The U/L bit (0x02 of the first octet): set on randomised/private and virtual MACs. False if malformed. */
export function isLocallyAdministered(mac: string): boolean {
  const octet = firstOctet(mac);
  return octet !== null && (octet & 0x02) !== 0;
}

/** The I/G bit (0x01 of the first octet): a group (multicast or broadcast) address. False if malformed. */
export function isMulticastMac(mac: string): boolean {
  const octet = firstOctet(mac);
  return octet !== null && (octet & 0x01) !== 0;
}

/**
 * The organisation the MAC's OUI is registered to (first line of the IEEE entry, trimmed), or null
 * when the MAC is malformed, unregistered, or carries no manufacturer: locally administered (a
 * phone's randomised MAC must not be attributed to whichever company holds that prefix), group
 * addresses, and the all-zero placeholder some agents report. The longest registry prefix wins
 * (MA-S 36 bits, then MA-M 28 bits, then MA-L 24 bits). Values such as "Private" (an owner who
 * asked IEEE not to publish its name) are returned as IEEE lists them.
 */
export function macVendor(mac: string): string | null {
  const hex = macHexDigits(mac);
  if (hex === null || hex === '000000000000') return null;
  const octet = Number.parseInt(hex.slice(0, 2), 16);
  if ((octet & 0x03) !== 0) return null;
  const oui = ouiTable();
  const entry = oui[hex.slice(0, 9)] ?? oui[hex.slice(0, 7)] ?? oui[hex.slice(0, 6)];
  if (entry === undefined) return null;
  const name = (entry.split('\n', 1)[0] ?? '').trim();
  return name === '' ? null : name;
}
