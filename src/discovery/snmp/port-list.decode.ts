/**
 * Q-BRIDGE PortList: a bitmap of bridge ports, first octet first, most significant bit = port 1.
 */
export function decodePortList(bytes: Buffer): number[] {
  const list = recoverHexDump(bytes) ?? bytes;
  const ports: number[] = [];
  for (let octet = 0; octet < list.length; octet++) {
    const value = list[octet] as number;
    for (let bit = 0; bit < 8; bit++) {
      if (value & (0x80 >> bit)) ports.push(octet * 8 + bit + 1);
    }
  }
  return ports;
}

/** A line break followed by lines of space-separated hex pairs, at least eight pairs in all. */
const HEX_DUMP = /^(?:\n(?:[0-9A-Fa-f]{2} ?)+)+\s*$/;
const MIN_DUMP_PAIRS = 8;

/**
 * Some captures (and proxies that re-serialise net-snmp output) store a long PortList as its first
 * raw octets followed by the remainder as net-snmp prints a Hex-STRING: "\n00 00 0C 05 …" lines.
 * Read naively, that text becomes hundreds of phantom ports. When the bytes after the first line
 * break are exactly such a dump (never the shape of a real bitmap: every pair is 0x30-0x46 text
 * separated by 0x20), the list is the raw prefix plus the dumped bytes.
 */
export function recoverHexDump(bytes: Buffer): Buffer | undefined {
  // The raw prefix may itself hold a 0x0a octet (ports 5 and 7 of a group): try each line break.
  for (let start = bytes.indexOf(0x0a, 1); start !== -1; start = bytes.indexOf(0x0a, start + 1)) {
    const tail = bytes.subarray(start).toString('latin1');
    if (!HEX_DUMP.test(tail)) continue;
    const pairs = tail.match(/[0-9A-Fa-f]{2}/g) ?? [];
    if (pairs.length < MIN_DUMP_PAIRS) return undefined;
    return Buffer.concat([bytes.subarray(0, start), Buffer.from(pairs.join(''), 'hex')]);
  }
  return undefined;
}
