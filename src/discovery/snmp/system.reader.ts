import type { SnmpSystem } from '../../domain/enrichment.types.ts';
import { SYSTEM } from './mib-oids.ts';
import type { Varbind } from './snmp.types.ts';
import { decodeInt, decodeOid, decodeText } from './varbind.decode.ts';

/** The system-group GET; answering it is also how a credential proves itself. */
export const SYSTEM_OIDS: readonly string[] = [
  SYSTEM.sysName,
  SYSTEM.sysDescr,
  SYSTEM.sysObjectID,
  SYSTEM.sysContact,
  SYSTEM.sysLocation,
  SYSTEM.sysUpTime,
];

/** Values by OID, so the order or a missing entry in the answer cannot shift fields. */
export function readSystem(varbinds: readonly Varbind[]): SnmpSystem {
  const byOid = new Map(varbinds.map((varbind) => [varbind.oid.replace(/^\./, ''), varbind]));
  return {
    sysName: decodeText(byOid.get(SYSTEM.sysName)),
    sysDescr: decodeText(byOid.get(SYSTEM.sysDescr)),
    sysObjectId: decodeOid(byOid.get(SYSTEM.sysObjectID)),
    sysContact: decodeText(byOid.get(SYSTEM.sysContact)),
    sysLocation: decodeText(byOid.get(SYSTEM.sysLocation)),
    sysUpTime: decodeInt(byOid.get(SYSTEM.sysUpTime)),
  };
}
