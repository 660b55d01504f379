import { bigIntToIpv6 } from '../../shared/ip-math.ts';
import type { Varbind } from './snmp.types.ts';

/**
 * Value decoding shared by every reader. Agents put text, binary and padding in the same OCTET
 * STRING type, so each rule here says how to turn bytes into something a person or a join can use.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Lower-case colon hex, the readable form of bytes that are not text. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(':');
}

// C0 controls other than \t \n \r, DEL and C1 controls mark binary data.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control range is the point here
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * The text of printable bytes, else undefined. UTF-8 first; older agents send Latin-1, which is
 * accepted when every byte is a printable Latin-1 character.
 */
export function printableText(bytes: Buffer): string | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = bytes.toString('latin1');
  }
  return CONTROL.test(text) ? undefined : text;
}

/** Trailing NULs are C-string padding some agents send; they are not part of the value. */
function withoutTrailingNuls(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

/** Octet strings → trimmed printable text, binary → colon hex, blank → null; numbers as text. */
export function decodeText(varbind: Varbind | undefined): string | null {
  if (!varbind) return null;
  const { value } = varbind;
  if (value === null) return null;
  if (Buffer.isBuffer(value)) {
    if (value.length === 0) return null;
    const trimmed = withoutTrailingNuls(value);
    const text = printableText(trimmed);
    if (text === undefined) return toHex(value);
    const clean = text.trim();
    return clean === '' ? null : clean;
  }
  const text = String(value).trim();
  return text === '' ? null : text;
}

/** Integer-like values as a number; anything else (including missing) is null. */
export function decodeInt(varbind: Varbind | undefined): number | null {
  if (!varbind) return null;
  const { type, value } = varbind;
  if (type === 'integer' || type === 'counter' || type === 'gauge' || type === 'timeticks') {
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  }
  if (type === 'counter64' && typeof value === 'bigint') return Number(value);
  return null;
}

/** OBJECT IDENTIFIER values in dotted numeric form without a leading dot. */
export function decodeOid(varbind: Varbind | undefined): string | null {
  if (varbind?.type !== 'oid' || typeof varbind.value !== 'string') return null;
  const text = varbind.value.startsWith('.') ? varbind.value.slice(1) : varbind.value;
  return text === '' ? null : text;
}

const MAC_TEXT = [
  /^([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i,
];

/** A MAC written as text (`aa:bb:..`, `aa-bb-..`, `aabb.ccdd.eeff`, `aabbccddeeff`), normalised. */
export function parseMacText(text: string): string | null {
  const trimmed = text.trim();
  for (const pattern of MAC_TEXT) {
    const match = pattern.exec(trimmed);
    if (match) return normaliseMacBytes(Buffer.from(match.slice(1, 7).map((part) => Number.parseInt(part, 16))));
  }
  return null;
}

/** Exactly six bytes that are not all zero, as `aa:bb:cc:dd:ee:ff`; anything else is null. */
export function normaliseMacBytes(bytes: Uint8Array): string | null {
  if (bytes.length !== 6 || bytes.every((byte) => byte === 0)) return null;
  return toHex(bytes);
}

/** A physical address: six raw bytes, or MAC text some agents store instead. */
export function decodeMac(varbind: Varbind | undefined): string | null {
  if (!varbind || !Buffer.isBuffer(varbind.value)) return null;
  const bytes = varbind.value;
  if (bytes.length === 6) return normaliseMacBytes(bytes);
  const text = printableText(bytes);
  return text === undefined ? null : parseMacText(text);
}

/** Four bytes → IPv4, sixteen → IPv6 (compressed, lower case); other lengths are not addresses. */
export function bytesToIp(bytes: Uint8Array): string | null {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) {
    let value = 0n;
    for (const byte of bytes) value = (value << 8n) | BigInt(byte);
    return bigIntToIpv6(value);
  }
  return null;
}

/** An IpAddress value, or an address carried in an octet string. */
export function decodeIp(varbind: Varbind | undefined): string | null {
  if (!varbind) return null;
  if (varbind.type === 'ipaddress' && typeof varbind.value === 'string') return varbind.value;
  if (Buffer.isBuffer(varbind.value)) return bytesToIp(varbind.value);
  return null;
}

/** `255.255.255.0` → 24; null when the mask is not contiguous. */
export function maskToPrefixLength(mask: string): number | null {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return null;
  const value = parts.reduce((acc, part) => acc * 256 + part, 0);
  const bits = value.toString(2).padStart(32, '0');
  return /^1*0*$/.test(bits) ? (bits.match(/1/g)?.length ?? 0) : null;
}
