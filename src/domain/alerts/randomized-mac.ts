/**
 * A MAC is locally administered when the U/L bit (0x02 of the first octet) is set: phones and
 * laptops that randomise their address per network set it, and so do VMs and containers. Accepts
 * the usual separators (`:`, `-`, `.`) or none; anything unparsable counts as not randomised.
 */
export function isLocallyAdministered(mac: string | null | undefined): boolean {
  if (!mac) return false;
  const hex = mac.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length !== 12) return false;
  return (Number.parseInt(hex.slice(0, 2), 16) & 0x02) !== 0;
}

/** The grouping key of the `group` policy: the same name and vendor is taken to be the same device. */
export function randomizedGroupKey(name: string | null | undefined, vendor: string | null | undefined): string {
  const norm = (value: string | null | undefined): string => (value ?? '').trim().toLowerCase();
  return `${norm(name)}|${norm(vendor)}`;
}
