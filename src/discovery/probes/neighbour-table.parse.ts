import { isIP } from 'node:net';

export interface NeighbourEntry {
  ip: string;
  mac: string;
  device: string;
}

const COMPLETE = 0x2;

/**
 * Linux `/proc/net/arp` (SPEC §5.7): header line, then `IP HWtype Flags HWaddress Mask Device`.
 * Kept: complete entries (flag 0x2) with a real MAC and a parseable IP.
 */
export function parseProcNetArp(text: string): NeighbourEntry[] {
  const entries: NeighbourEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6) continue;
    const [ip, , flagsText, macText, , device] = fields as [string, string, string, string, string, string];
    const flags = Number.parseInt(flagsText, flagsText.toLowerCase().startsWith('0x') ? 16 : 10);
    if (!Number.isFinite(flags) || (flags & COMPLETE) === 0) continue;
    const mac = macText.toLowerCase();
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) || mac === '00:00:00:00:00:00') continue;
    if (isIP(ip) === 0) continue;
    entries.push({ ip, mac, device });
  }
  return entries;
}
