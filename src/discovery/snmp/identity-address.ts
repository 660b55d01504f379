/** The one rule for addresses that cannot identify a device lives in shared (storage uses it too). */
export { isIdentityAddress } from '../../shared/ip-math.ts';
