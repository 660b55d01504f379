import type { NeighbourSighting, WalkOutcome } from '../../domain/enrichment.types.ts';
import { isIdentityAddress } from './identity-address.ts';
import { CDP } from './mib-oids.ts';
import type { Varbind } from './snmp.types.ts';
import { bytesToIp, decodeInt, decodeText, parseMacText } from './varbind.decode.ts';
import { allFailed, rowsOf, type Walked } from './walked.ts';

export const CDP_COLUMNS: readonly string[] = Object.values(CDP);

/** CiscoNetworkProtocol values of cdpCacheAddressType that carry an IP address. */
const CDP_ADDRESS_IP = 1;
const CDP_ADDRESS_IPV6 = 20;

/** One cdpCacheTable row as reported, before it becomes a NeighbourSighting. */
export interface CdpCacheRow {
  localIfIndex: number;
  deviceIndex: number;
  deviceId: string | null;
  devicePort: string | null;
  address: string | null;
  platform: string | null;
  version: string | null;
}

/** Rows keyed ifIndex.deviceIndex from any column; rows with neither a device id nor an address are dropped. */
export function readCdpRows(walked: Walked): WalkOutcome<CdpCacheRow[]> {
  const error = allFailed(walked, CDP_COLUMNS);
  if (error) return { ok: false, error };
  const columns = new Map(CDP_COLUMNS.map((column) => [column, rowsOf(walked, column)]));
  const cell = (column: string, index: string): Varbind | undefined => columns.get(column)?.get(index);
  const indexes = new Set<string>();
  for (const rows of columns.values()) for (const index of rows.keys()) indexes.add(index);
  const rows: CdpCacheRow[] = [];
  for (const index of indexes) {
    const parts = index.split('.').map(Number);
    if (parts.length !== 2) continue;
    const [localIfIndex, deviceIndex] = parts as [number, number];
    const row: CdpCacheRow = {
      localIfIndex,
      deviceIndex,
      deviceId: decodeText(cell(CDP.cdpCacheDeviceId, index)),
      devicePort: decodeText(cell(CDP.cdpCacheDevicePort, index)),
      address: decodeCdpAddress(decodeInt(cell(CDP.cdpCacheAddressType, index)), cell(CDP.cdpCacheAddress, index)),
      platform: decodeText(cell(CDP.cdpCachePlatform, index)),
      version: decodeText(cell(CDP.cdpCacheVersion, index)),
    };
    if (row.deviceId !== null || row.address !== null) rows.push(row);
  }
  rows.sort((a, b) => a.localIfIndex - b.localIfIndex || a.deviceIndex - b.deviceIndex);
  return { ok: true, value: rows };
}

/**
 * CDP neighbours. The device id is the neighbour's name and its chassis identity (a MAC only when it
 * is written as one); the software version stands in for sysDescr, the platform when no version.
 */
export function readCdp(walked: Walked): WalkOutcome<NeighbourSighting[]> {
  const rows = readCdpRows(walked);
  if (!rows.ok) return rows;
  return {
    ok: true,
    value: rows.value.map((row) => ({
      protocol: 'cdp',
      localIfIndex: row.localIfIndex > 0 ? row.localIfIndex : null,
      remoteChassisMac: row.deviceId === null ? null : parseMacText(row.deviceId),
      remoteChassisId: row.deviceId,
      remoteSysName: row.deviceId,
      remoteSysDescr: row.version ?? row.platform,
      remotePortId: row.devicePort,
      remotePortDescr: null,
      remotePortMac: null,
      remoteManagementIp: row.address !== null && isIdentityAddress(row.address) ? row.address : null,
    })),
  };
}

/**
 * cdpCacheAddress: 4 bytes IPv4 or 16 bytes IPv6 (type ip(1) / ipv6(20)); some agents send a
 * `type(1) length(1) address` encoding instead, where type 1/length 4 is IPv4 and 2/16 IPv6.
 */
export function decodeCdpAddress(type: number | null, varbind: Varbind | undefined): string | null {
  if (!varbind) return null;
  if (varbind.type === 'ipaddress' && typeof varbind.value === 'string') return varbind.value;
  if (!Buffer.isBuffer(varbind.value)) return null;
  const bytes = varbind.value;
  if (type !== null && type !== CDP_ADDRESS_IP && type !== CDP_ADDRESS_IPV6) return null;
  if (bytes.length === 4 || bytes.length === 16) return bytesToIp(bytes);
  if (bytes.length >= 6) {
    const [kind, length] = [bytes[0], bytes[1]];
    const body = bytes.subarray(2, 2 + (length ?? 0));
    if ((kind === 1 && length === 4) || (kind === 2 && length === 16)) return bytesToIp(body);
  }
  return null;
}
