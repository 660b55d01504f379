import type { NeighbourSighting, SnmpInterface, WalkOutcome } from '../../domain/enrichment.types.ts';
import { isIdentityAddress } from './identity-address.ts';
import { decodeChassisId, decodePortId } from './lldp-id.decode.ts';
import { LLDP } from './mib-oids.ts';
import { indexOf } from './oid.ts';
import type { Varbind } from './snmp.types.ts';
import { bytesToIp, decodeInt, decodeText } from './varbind.decode.ts';
import { allFailed, rowsByNumber, rowsOf, type Walked } from './walked.ts';

export const LLDP_REMOTE_COLUMNS: readonly string[] = [
  LLDP.lldpRemChassisIdSubtype,
  LLDP.lldpRemChassisId,
  LLDP.lldpRemPortIdSubtype,
  LLDP.lldpRemPortId,
  LLDP.lldpRemPortDesc,
  LLDP.lldpRemSysName,
  LLDP.lldpRemSysDesc,
];

export const LLDP_COLUMNS: readonly string[] = [
  ...LLDP_REMOTE_COLUMNS,
  LLDP.lldpRemManAddrEntry,
  LLDP.lldpLocPortId,
  LLDP.lldpLocPortDesc,
];

export interface LldpContext {
  interfaces: readonly SnmpInterface[];
  /** Bridge port → ifIndex. */
  bridgePorts: ReadonlyMap<number, number>;
}

export type LocalPortMatch =
  | 'locPortId=ifName'
  | 'locPortId=ifDescr'
  | 'locPortDesc=ifName'
  | 'locPortDesc=ifDescr'
  | 'locPortId=ifIndex'
  | 'portNum=ifIndex'
  | 'portNum=bridgePort'
  | 'none';

/** Neighbours from lldpRemTable, one per local port and remote index (the newest timeMark wins). */
export function readLldp(walked: Walked, context: LldpContext): WalkOutcome<NeighbourSighting[]> {
  const error = allFailed(walked, LLDP_REMOTE_COLUMNS);
  if (error) return { ok: false, error };
  const columns = new Map(LLDP_REMOTE_COLUMNS.map((column) => [column, rowsOf(walked, column)]));
  const cell = (column: string, index: string): Varbind | undefined => columns.get(column)?.get(index);

  // timeMark.localPortNum.remIndex → the newest timeMark per (localPortNum, remIndex).
  const rows = new Map<string, { index: string; timeMark: number; localPort: number; remIndex: number }>();
  for (const column of columns.values()) {
    for (const index of column.keys()) {
      const parts = index.split('.').map(Number);
      if (parts.length !== 3) continue;
      const [timeMark, localPort, remIndex] = parts as [number, number, number];
      const key = `${localPort}.${remIndex}`;
      const known = rows.get(key);
      if (!known || timeMark > known.timeMark) rows.set(key, { index, timeMark, localPort, remIndex });
    }
  }

  const managementAddresses = readManagementAddresses(walked);
  const localPorts = new LocalPortMapper(walked, context);
  const sightings: NeighbourSighting[] = [];
  const ordered = [...rows].sort(([, a], [, b]) => a.localPort - b.localPort || a.remIndex - b.remIndex);
  for (const [key, { index, localPort }] of ordered) {
    const chassis = decodeChassisId(
      decodeInt(cell(LLDP.lldpRemChassisIdSubtype, index)),
      bufferOf(cell(LLDP.lldpRemChassisId, index)),
    );
    const port = decodePortId(
      decodeInt(cell(LLDP.lldpRemPortIdSubtype, index)),
      bufferOf(cell(LLDP.lldpRemPortId, index)),
    );
    sightings.push({
      protocol: 'lldp',
      localIfIndex: localPorts.map(localPort).ifIndex,
      remoteChassisMac: chassis.mac,
      remoteChassisId: chassis.text,
      remoteSysName: decodeText(cell(LLDP.lldpRemSysName, index)),
      remoteSysDescr: decodeText(cell(LLDP.lldpRemSysDesc, index)),
      remotePortId: port.text,
      remotePortDescr: decodeText(cell(LLDP.lldpRemPortDesc, index)),
      remotePortMac: port.mac,
      remoteManagementIp: pickManagementIp(managementAddresses.get(key) ?? [], chassis.ip),
    });
  }
  return { ok: true, value: sightings };
}

/**
 * The advertised management address: an IPv4 one first, then IPv6, never one that says nothing
 * about identity (0.0.0.0, loopback, link-local). A chassis id given as a network address is the
 * neighbour's own address, so it stands in when no usable management address was advertised.
 */
function pickManagementIp(advertised: readonly string[], chassisIp: string | null): string | null {
  const usable = advertised.filter(isIdentityAddress);
  return (
    usable.find((ip) => !ip.includes(':')) ??
    usable[0] ??
    (chassisIp !== null && isIdentityAddress(chassisIp) ? chassisIp : null)
  );
}

/**
 * lldpRemManAddrTable keeps the address in the index:
 * timeMark.localPortNum.remIndex.addrSubtype.length.address (some agents drop the length).
 */
export function readManagementAddresses(walked: Walked): Map<string, string[]> {
  const byNeighbour = new Map<string, string[]>();
  const outcome = walked.get(LLDP.lldpRemManAddrEntry);
  if (!outcome?.ok) return byNeighbour;
  for (const varbind of outcome.value) {
    const index = indexOf(LLDP.lldpRemManAddrEntry, varbind.oid);
    if (!index || index.length < 6) continue;
    const [, , localPort, remIndex, subtype, ...rest] = index as [number, number, number, number, number, ...number[]];
    const bytes = rest[0] === rest.length - 1 ? rest.slice(1) : rest;
    if (bytes.some((byte) => byte > 255)) continue;
    const ip =
      (subtype === 1 && bytes.length === 4) || (subtype === 2 && bytes.length === 16)
        ? bytesToIp(Uint8Array.from(bytes))
        : null;
    if (ip === null) continue;
    const key = `${localPort}.${remIndex}`;
    const list = byNeighbour.get(key) ?? [];
    if (!list.includes(ip)) list.push(ip);
    byNeighbour.set(key, list);
  }
  return byNeighbour;
}

/**
 * Turns an LLDP local port number into an ifIndex. The number has no fixed meaning across agents
 * (ifIndex, bridge port or neither), so the port's own identifiers are trusted first:
 *  1. lldpLocPortId equal to exactly one ifName, 2. … to exactly one ifDescr,
 *  3. lldpLocPortDesc equal to exactly one ifName, 4. … to exactly one ifDescr,
 *  5. lldpLocPortId that is a number naming an existing ifIndex,
 *  6. the local port number as an existing ifIndex,
 *  7. the local port number as a bridge port (dot1dBasePortIfIndex).
 * Without an interface list (its walk failed) steps 1-6 cannot check anything: the bridge port
 * map is used if it has the number, else the number is taken as the ifIndex.
 */
export class LocalPortMapper {
  private readonly portIds: Map<number, Varbind>;
  private readonly portDescs: Map<number, Varbind>;
  private readonly byName: Map<string, number | null>;
  private readonly byDescr: Map<string, number | null>;
  private readonly ifIndexes: Set<number>;

  constructor(
    walked: Walked,
    private readonly context: LldpContext,
  ) {
    this.portIds = rowsByNumber(walked, LLDP.lldpLocPortId);
    this.portDescs = rowsByNumber(walked, LLDP.lldpLocPortDesc);
    this.byName = uniqueIndex(context.interfaces, (entry) => entry.name);
    this.byDescr = uniqueIndex(context.interfaces, (entry) => entry.descr);
    this.ifIndexes = new Set(context.interfaces.map((entry) => entry.ifIndex));
  }

  map(localPort: number): { ifIndex: number | null; via: LocalPortMatch } {
    if (this.ifIndexes.size === 0) {
      const bridged = this.context.bridgePorts.get(localPort);
      if (bridged !== undefined) return { ifIndex: bridged, via: 'portNum=bridgePort' };
      return localPort > 0 ? { ifIndex: localPort, via: 'portNum=ifIndex' } : { ifIndex: null, via: 'none' };
    }
    const portId = decodeText(this.portIds.get(localPort));
    const portDesc = decodeText(this.portDescs.get(localPort));
    const candidates: [number | null | undefined, LocalPortMatch][] = [
      [portId === null ? undefined : this.byName.get(portId), 'locPortId=ifName'],
      [portId === null ? undefined : this.byDescr.get(portId), 'locPortId=ifDescr'],
      [portDesc === null ? undefined : this.byName.get(portDesc), 'locPortDesc=ifName'],
      [portDesc === null ? undefined : this.byDescr.get(portDesc), 'locPortDesc=ifDescr'],
      [
        portId !== null && /^\d+$/.test(portId) && this.ifIndexes.has(Number(portId)) ? Number(portId) : undefined,
        'locPortId=ifIndex',
      ],
      [this.ifIndexes.has(localPort) ? localPort : undefined, 'portNum=ifIndex'],
      [this.context.bridgePorts.get(localPort), 'portNum=bridgePort'],
    ];
    for (const [ifIndex, via] of candidates) {
      if (typeof ifIndex === 'number') return { ifIndex, via };
    }
    return { ifIndex: null, via: 'none' };
  }
}

/** Text → ifIndex where the text names exactly one interface; null marks an ambiguous text. */
function uniqueIndex(
  interfaces: readonly SnmpInterface[],
  key: (entry: SnmpInterface) => string | null,
): Map<string, number | null> {
  const index = new Map<string, number | null>();
  for (const entry of interfaces) {
    const text = key(entry);
    if (text === null) continue;
    index.set(text, index.has(text) ? null : entry.ifIndex);
  }
  return index;
}

function bufferOf(varbind: Varbind | undefined): Buffer | null {
  return varbind && Buffer.isBuffer(varbind.value) ? varbind.value : null;
}
