import { maskedPrefix } from '../../shared/ip-math.ts';
import type { RuleFilters } from './alert.types.ts';

/** What the filters look at, read from the device when the rule is evaluated. */
export interface DeviceFacts {
  tags: readonly string[];
  vendor: string | null;
  /** Current (not stale) addresses. */
  ips: readonly string[];
  watched: boolean;
}

export function subnetContains(cidr: string, ip: string): boolean {
  const prefix = maskedPrefix(cidr.includes('/') ? cidr : `${cidr}/${cidr.includes(':') ? 128 : 32}`);
  if (!prefix) return false;
  const family = ip.includes(':') ? 6 : 4;
  if (family !== prefix.family) return false;
  const masked = maskedPrefix(`${ip.split('%')[0]}/${prefix.bits}`);
  return masked !== undefined && masked.address === prefix.address;
}

/** Whether a device passes a rule's filters; absent or empty filters pass everything. */
export function matchesFilters(filters: RuleFilters, device: DeviceFacts): boolean {
  if (filters.watched_only && !device.watched) return false;
  if (filters.tags && filters.tags.length > 0) {
    const tags = new Set(device.tags.map((tag) => tag.toLowerCase()));
    if (!filters.tags.some((tag) => tags.has(tag.toLowerCase()))) return false;
  }
  if (filters.vendors && filters.vendors.length > 0) {
    const vendor = device.vendor?.trim().toLowerCase();
    if (!vendor || !filters.vendors.some((wanted) => wanted.trim().toLowerCase() === vendor)) return false;
  }
  if (filters.subnets && filters.subnets.length > 0) {
    const subnets = filters.subnets;
    if (!device.ips.some((ip) => subnets.some((cidr) => subnetContains(cidr, ip)))) return false;
  }
  return true;
}

export function hasDeviceFilters(filters: RuleFilters): boolean {
  return Boolean(filters.watched_only || filters.tags?.length || filters.vendors?.length || filters.subnets?.length);
}
