import { isIP } from 'node:net';
import { bytesToIp, decodeText, normaliseMacBytes, parseMacText, printableText, toHex } from './varbind.decode.ts';

/** An LLDP chassis or port id in readable form, plus the MAC or address it encodes, if any. */
export interface DecodedLldpId {
  text: string | null;
  mac: string | null;
  ip: string | null;
}

/** LldpChassisIdSubtype: 4 macAddress, 5 networkAddress (1-3, 6 and 7 are names or local text). */
export const CHASSIS_SUBTYPE = { mac: 4, network: 5 } as const;
/** LldpPortIdSubtype: 3 macAddress, 4 networkAddress. */
export const PORT_SUBTYPE = { mac: 3, network: 4 } as const;

const IANA_FAMILY_IPV4 = 1;
const IANA_FAMILY_IPV6 = 2;
const IANA_FAMILY_802 = 6;

/**
 * Decodes a chassis id by its subtype. A MAC subtype may hold six raw bytes or the MAC as text
 * (`aa:bb:..`, `aa-bb-..`, `aabb.ccdd.eeff`); a network address is an IANA family byte plus the
 * address (some agents send the bare address or dotted text). Other subtypes are text, and still
 * yield a MAC when that text is exactly a MAC.
 */
export function decodeChassisId(subtype: number | null, value: Buffer | null): DecodedLldpId {
  return decodeId(subtype, value, CHASSIS_SUBTYPE, true);
}

/** Decodes a port id; only the MAC subtype (3) yields `mac`, as the contract asks. */
export function decodePortId(subtype: number | null, value: Buffer | null): DecodedLldpId {
  return decodeId(subtype, value, PORT_SUBTYPE, false);
}

function decodeId(
  subtype: number | null,
  value: Buffer | null,
  subtypes: { mac: number; network: number },
  macFromText: boolean,
): DecodedLldpId {
  if (value === null || value.length === 0) return { text: null, mac: null, ip: null };
  if (subtype === subtypes.network) {
    const decoded = decodeNetworkAddress(value);
    if (decoded) return decoded;
  }
  const text = decodeText({ oid: '', type: 'octets', value });
  if (subtype === subtypes.mac || (subtype === null && printableText(value) === undefined)) {
    // Six raw bytes are the address itself, even all-zero ones (shown, but not a usable MAC).
    if (value.length === 6) return { text: toHex(value), mac: normaliseMacBytes(value), ip: null };
    const mac = text === null ? null : parseMacText(text);
    if (mac) return { text: mac, mac, ip: null };
  }
  const mac = macFromText && subtype !== subtypes.network && text !== null ? parseMacText(text) : null;
  return { text: mac ?? text, mac, ip: null };
}

/** IANA address family byte + address bytes; or the bare address; or the address as text. */
export function decodeNetworkAddress(value: Buffer): DecodedLldpId | null {
  const family = value[0];
  const body = value.subarray(1);
  if ((family === IANA_FAMILY_IPV4 && body.length === 4) || (family === IANA_FAMILY_IPV6 && body.length === 16)) {
    const ip = bytesToIp(body);
    return { text: ip, mac: null, ip };
  }
  if (family === IANA_FAMILY_802 && body.length === 6) {
    const mac = normaliseMacBytes(body);
    return { text: mac, mac, ip: null };
  }
  const text = printableText(value)?.trim();
  if (text && isIP(text)) return { text, mac: null, ip: text };
  if (value.length === 4 || value.length === 16) {
    const ip = bytesToIp(value);
    return { text: ip, mac: null, ip };
  }
  return null;
}
