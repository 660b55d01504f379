/**
 * One SNMP credential set (SPEC §5.9.3, extended with v3). Configuration builds them, the SNMP
 * client uses them; `name` is the only part ever logged or stored.
 */
export type SnmpCredential = SnmpCommunityCredential | SnmpUserCredential;

export interface SnmpCommunityCredential {
  name: string;
  version: '1' | '2c';
  community: string;
}

export const SNMP_AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export const SNMP_PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const;
export const SNMP_SECURITY_LEVELS = ['noAuthNoPriv', 'authNoPriv', 'authPriv'] as const;

export interface SnmpUserCredential {
  name: string;
  version: '3';
  user: string;
  level: (typeof SNMP_SECURITY_LEVELS)[number];
  authProtocol?: (typeof SNMP_AUTH_PROTOCOLS)[number];
  authKey?: string;
  privProtocol?: (typeof SNMP_PRIV_PROTOCOLS)[number];
  privKey?: string;
}
