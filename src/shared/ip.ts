import { isIP } from 'node:net';

/**
 * PostgreSQL prints host addresses in inet as `10.0.0.5/32`. Everywhere on the wire Roller shows
 * host addresses bare (`10.0.0.5`) and keeps the prefix only for real networks (SPEC §3.4, G-22).
 */
export function bareHostAddress(inetText: string): string {
  const slash = inetText.indexOf('/');
  if (slash < 0) return inetText;
  const address = inetText.slice(0, slash);
  const bits = Number(inetText.slice(slash + 1));
  const hostBits = isIP(address) === 6 ? 128 : 32;
  return bits === hostBits ? address : inetText;
}
