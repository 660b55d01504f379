/**
 * Device identity when folding observations into current state (SPEC §5.7, fixing G-25):
 *
 * 1. An observation with a MAC belongs to the device that owns that MAC; a MAC never seen before
 *    is a new device — even when its IP belonged to another device. MAC identity wins, so IP
 *    re-use (DHCP) never merges two hosts. The IP then moves: it is removed from the old device's
 *    current facts and the move is reported.
 * 2. An observation without a MAC (a routed host, seen only by ICMP or TCP) belongs to the device
 *    that owns the IP, or is a new device keyed by that IP.
 * 3. A device keeps its identity when its IP changes (same MAC, new IP): the new IP is added.
 * 4. Except: a device no host ever answered for with a MAC (a neighbour, an import, a routed host)
 *    adopts the first MAC that answers on its IP, instead of being left behind as a duplicate.
 */
export interface Observation {
  ip: string;
  mac?: string;
}

export type DeviceRef = { kind: 'existing'; id: string } | { kind: 'new'; index: number };

export interface IpMove {
  ip: string;
  fromDeviceId: string;
  to: DeviceRef;
}

export interface FoldPlan {
  /** Number of devices to create; facts refer to them by index. */
  newDevices: number;
  macFacts: { device: DeviceRef; mac: string }[];
  ipFacts: { device: DeviceRef; ip: string }[];
  ipMoves: IpMove[];
}

export interface KnownOwners {
  /** MAC → device that owns it (the oldest owner). */
  byMac: ReadonlyMap<string, string>;
  /** IP → device that owns it (the oldest owner). */
  byIp: ReadonlyMap<string, string>;
  /**
   * Devices that no host ever answered for with a MAC (known from an LLDP/CDP neighbour table, an
   * import, or ICMP alone). The first MAC that answers on one of their IPs is theirs: a neighbour
   * device must not be left behind as a duplicate the day its address answers ARP.
   */
  withoutLearntMac?: ReadonlySet<string>;
}

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Lower-case colon form, or undefined for anything that cannot identify a device. */
export function identityMac(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const mac = raw.trim().toLowerCase().replaceAll('-', ':');
  if (!MAC_PATTERN.test(mac)) return undefined;
  if (mac === '00:00:00:00:00:00' || mac === 'ff:ff:ff:ff:ff:ff') return undefined;
  // Group (multicast) addresses never belong to one host.
  if ((Number.parseInt(mac.slice(0, 2), 16) & 1) === 1) return undefined;
  return mac;
}

const refKey = (ref: DeviceRef): string => (ref.kind === 'existing' ? ref.id : `new:${ref.index}`);

export function planFold(observations: readonly Observation[], owners: KnownOwners): FoldPlan {
  const byMac = new Map<string, DeviceRef>(
    [...owners.byMac].map(([mac, id]) => [mac, { kind: 'existing', id }] as const),
  );
  const byIp = new Map<string, DeviceRef>([...owners.byIp].map(([ip, id]) => [ip, { kind: 'existing', id }] as const));
  const plan: FoldPlan = { newDevices: 0, macFacts: [], ipFacts: [], ipMoves: [] };
  const macKeys = new Set<string>();
  const ipKeys = new Set<string>();
  /** One move per IP: from its owner before this batch to its owner after it. */
  const moves = new Map<string, IpMove>();
  const newDevice = (): DeviceRef => ({ kind: 'new', index: plan.newDevices++ });
  /** Adoption happens once per device: the second MAC on its IP is another host again. */
  const withoutMac = new Set(owners.withoutLearntMac ?? []);

  for (const observation of observations) {
    const mac = identityMac(observation.mac);
    const ipOwner = byIp.get(observation.ip);
    let device: DeviceRef;
    if (mac) {
      const adoptable = !byMac.has(mac) && ipOwner?.kind === 'existing' && withoutMac.has(ipOwner.id);
      if (adoptable) withoutMac.delete(ipOwner.id);
      device = byMac.get(mac) ?? (adoptable ? ipOwner : newDevice());
      byMac.set(mac, device);
      if (!macKeys.has(`${refKey(device)}|${mac}`)) {
        macKeys.add(`${refKey(device)}|${mac}`);
        plan.macFacts.push({ device, mac });
      }
      if (ipOwner && refKey(ipOwner) !== refKey(device)) {
        const original = owners.byIp.get(observation.ip);
        if (original !== undefined && refKey(device) === original) moves.delete(observation.ip);
        else if (original !== undefined)
          moves.set(observation.ip, { ip: observation.ip, fromDeviceId: original, to: device });
        // Two MACs answered on one IP within this batch: the later one keeps the IP.
        plan.ipFacts = plan.ipFacts.filter(
          (fact) => !(fact.ip === observation.ip && refKey(fact.device) === refKey(ipOwner)),
        );
        ipKeys.delete(`${refKey(ipOwner)}|${observation.ip}`);
      }
    } else {
      device = ipOwner ?? newDevice();
    }
    byIp.set(observation.ip, device);
    if (!ipKeys.has(`${refKey(device)}|${observation.ip}`)) {
      ipKeys.add(`${refKey(device)}|${observation.ip}`);
      plan.ipFacts.push({ device, ip: observation.ip });
    }
  }
  plan.ipMoves = [...moves.values()];
  return plan;
}
