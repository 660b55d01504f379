/**
 * arp-scan on one interface, targets on stdin (`--file=-`): finds hosts that drop ICMP but must
 * answer ARP. `--plain` drops the banner, `--quiet` the vendor column, `--ignoredups` repeated replies.
 */
export interface ArpScanOptions {
  iface: string;
  timeoutMs: number;
  retries: number;
}

export function arpScanArgs(options: ArpScanOptions): string[] {
  return [
    `--interface=${options.iface}`,
    '--file=-',
    '--plain',
    '--quiet',
    '--ignoredups',
    `--retry=${options.retries + 1}`,
    `--timeout=${Math.max(1, Math.round(options.timeoutMs))}`,
    // One request per millisecond, like fping's -i 1; arp-scan's default pace (256 kbit/s) is
    // about 2 ms a packet and would set the pace of a whole run.
    '--interval=1',
  ];
}

/** Lines `ip<TAB>mac[<TAB>…]`. */
export function parseArpScan(stdout: string): { ip: string; mac: string }[] {
  const found: { ip: string; mac: string }[] = [];
  for (const line of stdout.split('\n')) {
    const [ip, mac] = line.trim().split(/\s+/);
    if (ip && mac && /^\d+\.\d+\.\d+\.\d+$/.test(ip) && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) {
      found.push({ ip, mac: mac.toLowerCase() });
    }
  }
  return found;
}
