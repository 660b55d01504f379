/**
 * The devices list's whole view state lives in the URL (SPEC §10.4: shareable and reload-safe).
 * These pure functions translate between the address bar and the filters, and from the filters
 * to the core query; changing any filter drops the cursor (back to the first page).
 */
import { query } from '../../api/client.ts';

export const STATUS_FILTERS = [
  { value: 'all', label: 'All devices' },
  { value: 'online', label: 'Online' },
  { value: 'offline', label: 'Offline' },
  { value: 'unknown', label: 'Unknown' },
  { value: 'changed', label: 'Recently changed' },
] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number]['value'];

export const SORTS = [
  { value: 'created_desc', label: 'Newest created' },
  { value: 'last_seen_desc', label: 'Recently seen' },
  { value: 'last_change_desc', label: 'Recently changed' },
] as const;
export type SortKey = (typeof SORTS)[number]['value'];

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export interface DeviceFilters {
  q: string;
  status: StatusFilter;
  tag: string;
  vendor: string;
  subnet: string;
  sort: SortKey;
  cursor: string;
  limit: number;
}

export const NO_FILTERS: DeviceFilters = {
  q: '',
  status: 'all',
  tag: '',
  vendor: '',
  subnet: '',
  sort: 'created_desc',
  cursor: '',
  limit: DEFAULT_LIMIT,
};

const isStatus = (value: string | null): value is StatusFilter => STATUS_FILTERS.some((s) => s.value === value);
const isSort = (value: string | null): value is SortKey => SORTS.some((s) => s.value === value);

/** Unknown status or sort values fall back to the defaults; limit is clamped to 1…200. */
export function filtersFromSearch(params: URLSearchParams): DeviceFilters {
  const status = params.get('status');
  const sort = params.get('sort');
  const limitText = params.get('limit');
  const limit = limitText && /^\d+$/.test(limitText) ? Number(limitText) : DEFAULT_LIMIT;
  return {
    q: params.get('q')?.trim() ?? '',
    status: isStatus(status) ? status : 'all',
    tag: params.get('tag')?.trim() ?? '',
    vendor: params.get('vendor')?.trim() ?? '',
    subnet: params.get('subnet')?.trim() ?? '',
    sort: isSort(sort) ? sort : 'created_desc',
    cursor: params.get('cursor') ?? '',
    limit: Math.min(Math.max(limit || DEFAULT_LIMIT, 1), MAX_LIMIT),
  };
}

/** The address-bar form: defaults and empty values are left out, keys in a stable order. */
export function searchFromFilters(filters: DeviceFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.status !== 'all') params.set('status', filters.status);
  if (filters.tag) params.set('tag', filters.tag);
  if (filters.vendor) params.set('vendor', filters.vendor);
  if (filters.subnet) params.set('subnet', filters.subnet);
  if (filters.sort !== 'created_desc') params.set('sort', filters.sort);
  if (filters.limit !== DEFAULT_LIMIT) params.set('limit', String(filters.limit));
  if (filters.cursor) params.set('cursor', filters.cursor);
  return params;
}

/** Applies a change; anything but a cursor change starts again from the first page. */
export function changeFilters(current: DeviceFilters, change: Partial<DeviceFilters>): DeviceFilters {
  const next = { ...current, ...change };
  if (!('cursor' in change)) next.cursor = '';
  return next;
}

/** The GET /api/v1/devices query for these filters. */
export function deviceListPath(filters: DeviceFilters): string {
  return `/api/v1/devices${query({
    q: filters.q,
    status: filters.status === 'all' ? undefined : filters.status,
    tag: filters.tag,
    vendor: filters.vendor,
    subnet: filters.subnet,
    sort: filters.sort,
    limit: filters.limit,
    cursor: filters.cursor,
  })}`;
}

/** True when any filter narrows the list (for the empty state's wording and "Reset"). */
export function isFiltered(filters: DeviceFilters): boolean {
  return Boolean(filters.q || filters.tag || filters.vendor || filters.subnet || filters.status !== 'all');
}

export function statusLabel(status: StatusFilter): string {
  return STATUS_FILTERS.find((entry) => entry.value === status)?.label ?? 'All devices';
}

export function sortLabel(sort: SortKey): string {
  return SORTS.find((entry) => entry.value === sort)?.label ?? 'Newest created';
}
