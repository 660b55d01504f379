import { describe, expect, it } from 'vitest';
import {
  changeFilters,
  deviceListPath,
  filtersFromSearch,
  isFiltered,
  NO_FILTERS,
  searchFromFilters,
} from './url-state.ts';

describe('devices list: URL ↔ filter state', () => {
  it('reads every filter from the URL and falls back to defaults for bad values', () => {
    const filters = filtersFromSearch(
      new URLSearchParams(
        'q=+core+&status=online&tag=switch&vendor=Cisco&subnet=10.0.0.0/24&sort=last_seen_desc&cursor=abc&limit=20',
      ),
    );
    expect(filters).toEqual({
      q: 'core',
      status: 'online',
      tag: 'switch',
      vendor: 'Cisco',
      subnet: '10.0.0.0/24',
      sort: 'last_seen_desc',
      cursor: 'abc',
      limit: 20,
    });
    expect(filtersFromSearch(new URLSearchParams('status=sleeping&sort=name&limit=abc'))).toEqual(NO_FILTERS);
    expect(filtersFromSearch(new URLSearchParams('limit=100000')).limit).toBe(200);
    expect(filtersFromSearch(new URLSearchParams('limit=0')).limit).toBe(50);
  });

  it('writes only non-default values, so the bare URL means "no filters"', () => {
    expect(searchFromFilters(NO_FILTERS).toString()).toBe('');
    const url = searchFromFilters({ ...NO_FILTERS, q: 'sw', status: 'all', tag: 'printer', cursor: 'c1' });
    expect(url.toString()).toBe('q=sw&tag=printer&cursor=c1');
    // Round trip.
    expect(filtersFromSearch(url)).toEqual({ ...NO_FILTERS, q: 'sw', tag: 'printer', cursor: 'c1' });
  });

  it('drops the cursor on any change except paging', () => {
    const onPage2 = { ...NO_FILTERS, q: 'sw', cursor: 'c2' };
    expect(changeFilters(onPage2, { status: 'offline' })).toMatchObject({ status: 'offline', q: 'sw', cursor: '' });
    expect(changeFilters(onPage2, { sort: 'last_change_desc' }).cursor).toBe('');
    expect(changeFilters(onPage2, { cursor: 'c3' })).toMatchObject({ q: 'sw', cursor: 'c3' });
    expect(changeFilters(onPage2, { cursor: '' }).cursor).toBe('');
  });

  it('builds the core query, leaving out "all" and empty values', () => {
    expect(deviceListPath(NO_FILTERS)).toBe('/api/v1/devices?sort=created_desc&limit=50');
    expect(
      deviceListPath({ ...NO_FILTERS, status: 'changed', subnet: '10.1.0.0/16', vendor: 'HP Inc', cursor: 'x' }),
    ).toBe('/api/v1/devices?status=changed&vendor=HP+Inc&subnet=10.1.0.0%2F16&sort=created_desc&limit=50&cursor=x');
  });

  it('knows when the list is narrowed', () => {
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, sort: 'last_seen_desc' })).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, vendor: 'x' })).toBe(true);
  });
});
