/**
 * Every numeric OID Roller reads (Debian ships no MIB files, so names never reach the wire).
 * Columns are given without the index; readers append nothing and take indexes from the walk.
 */

export const SYSTEM = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysContact: '1.3.6.1.2.1.1.4.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
} as const;

/** IF-MIB ifTable and ifXTable columns. */
export const IF = {
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  ifMtu: '1.3.6.1.2.1.2.2.1.4',
  ifSpeed: '1.3.6.1.2.1.2.2.1.5',
  ifPhysAddress: '1.3.6.1.2.1.2.2.1.6',
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15',
  ifAlias: '1.3.6.1.2.1.31.1.1.1.18',
} as const;

/** IP-MIB: the old ipAddrTable (IPv4, indexed by address) and the newer ipAddressTable. */
export const IP = {
  ipAdEntIfIndex: '1.3.6.1.2.1.4.20.1.2',
  ipAdEntNetMask: '1.3.6.1.2.1.4.20.1.3',
  ipAddressIfIndex: '1.3.6.1.2.1.4.34.1.3',
  ipAddressType: '1.3.6.1.2.1.4.34.1.4',
  ipAddressPrefix: '1.3.6.1.2.1.4.34.1.5',
} as const;

/** BRIDGE-MIB and Q-BRIDGE-MIB. */
export const BRIDGE = {
  dot1dBasePortIfIndex: '1.3.6.1.2.1.17.1.4.1.2',
  dot1dTpFdbPort: '1.3.6.1.2.1.17.4.3.1.2',
  dot1dTpFdbStatus: '1.3.6.1.2.1.17.4.3.1.3',
  dot1qTpFdbPort: '1.3.6.1.2.1.17.7.1.2.2.1.2',
  dot1qTpFdbStatus: '1.3.6.1.2.1.17.7.1.2.2.1.3',
  /** dot1qVlanCurrentTable, index timeMark.vlanId. */
  dot1qVlanFdbId: '1.3.6.1.2.1.17.7.1.4.2.1.3',
  dot1qVlanCurrentEgressPorts: '1.3.6.1.2.1.17.7.1.4.2.1.4',
  dot1qVlanCurrentUntaggedPorts: '1.3.6.1.2.1.17.7.1.4.2.1.5',
  /** dot1qVlanStaticTable, index vlanId. */
  dot1qVlanStaticName: '1.3.6.1.2.1.17.7.1.4.3.1.1',
  dot1qVlanStaticEgressPorts: '1.3.6.1.2.1.17.7.1.4.3.1.2',
  dot1qVlanStaticUntaggedPorts: '1.3.6.1.2.1.17.7.1.4.3.1.4',
  dot1qPvid: '1.3.6.1.2.1.17.7.1.4.5.1.1',
} as const;

/** Cisco VLANs kept outside Q-BRIDGE: access VLAN per ifIndex and the VTP VLAN table. */
export const CISCO_VLAN = {
  vmVlan: '1.3.6.1.4.1.9.9.68.1.2.2.1.2',
  /** Index managementDomainIndex.vlanId. */
  vtpVlanState: '1.3.6.1.4.1.9.9.46.1.3.1.1.2',
  vtpVlanName: '1.3.6.1.4.1.9.9.46.1.3.1.1.4',
} as const;

/** LLDP-MIB (IEEE 802.1AB-2005). Remote rows are indexed timeMark.localPortNum.remIndex. */
export const LLDP = {
  lldpLocPortId: '1.0.8802.1.1.2.1.3.7.1.3',
  lldpLocPortDesc: '1.0.8802.1.1.2.1.3.7.1.4',
  lldpRemChassisIdSubtype: '1.0.8802.1.1.2.1.4.1.1.4',
  lldpRemChassisId: '1.0.8802.1.1.2.1.4.1.1.5',
  lldpRemPortIdSubtype: '1.0.8802.1.1.2.1.4.1.1.6',
  lldpRemPortId: '1.0.8802.1.1.2.1.4.1.1.7',
  lldpRemPortDesc: '1.0.8802.1.1.2.1.4.1.1.8',
  lldpRemSysName: '1.0.8802.1.1.2.1.4.1.1.9',
  lldpRemSysDesc: '1.0.8802.1.1.2.1.4.1.1.10',
  /** The whole lldpRemManAddrEntry: the address lives in the index, so any column will do. */
  lldpRemManAddrEntry: '1.0.8802.1.1.2.1.4.2.1',
} as const;

/** CISCO-CDP-MIB cdpCacheTable, index ifIndex.deviceIndex. */
export const CDP = {
  cdpCacheAddressType: '1.3.6.1.4.1.9.9.23.1.2.1.1.3',
  cdpCacheAddress: '1.3.6.1.4.1.9.9.23.1.2.1.1.4',
  cdpCacheVersion: '1.3.6.1.4.1.9.9.23.1.2.1.1.5',
  cdpCacheDeviceId: '1.3.6.1.4.1.9.9.23.1.2.1.1.6',
  cdpCacheDevicePort: '1.3.6.1.4.1.9.9.23.1.2.1.1.7',
  cdpCachePlatform: '1.3.6.1.4.1.9.9.23.1.2.1.1.8',
} as const;
