import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { DeviceListT, DiscoveryStatusT } from '../../api/types.ts';
import { AdminOnly, useDiscoveryStatus } from '../../app/Shell.tsx';
import { useIsAdmin } from '../../app/session.tsx';
import {
  Alert,
  Button,
  Card,
  EmptyState,
  ErrorAlert,
  formatDateTime,
  LastUpdated,
  Skeleton,
} from '../../components/ui.tsx';
import { BulkTagBar } from './BulkTagBar.tsx';
import { CreateDeviceForm } from './CreateDeviceForm.tsx';
import { DeviceFilterBar } from './DeviceFilters.tsx';
import { DeviceTable } from './DeviceTable.tsx';
import { DEVICES_KEY, tagLabel, useTaxonomy } from './queries.ts';
import { useSelection } from './selection.ts';
import {
  changeFilters,
  type DeviceFilters,
  deviceListPath,
  filtersFromSearch,
  isFiltered,
  NO_FILTERS,
  searchFromFilters,
  sortLabel,
  statusLabel,
} from './url-state.ts';

/** G-15: the list is polled only while a discovery run is queued or running. */
export const DISCOVERY_REFRESH_MS = 10_000;

export function discoveryActive(status: DiscoveryStatusT | undefined): boolean {
  const state = status?.latest_run?.status;
  return state === 'queued' || state === 'running';
}

/** /devices: search, filter, sort and page the devices; everything in the URL (issue 7 item 2). */
export function DevicesScene() {
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(searchParams), [searchParams]);
  const discovery = useDiscoveryStatus();
  const active = discoveryActive(discovery.data);
  const path = deviceListPath(filters);
  const list = useQuery({
    queryKey: [...DEVICES_KEY, 'list', path],
    queryFn: ({ signal }) => api.get<DeviceListT>(path, signal),
    placeholderData: keepPreviousData,
    refetchInterval: active ? DISCOVERY_REFRESH_MS : false,
  });
  const taxonomy = useTaxonomy();
  const isAdmin = useIsAdmin();
  const devices = list.data?.devices ?? [];
  const visibleIds = useMemo(() => (list.data?.devices ?? []).map((device) => device.id), [list.data]);
  const selection = useSelection(visibleIds);
  const [copied, setCopied] = useState('');
  const vendors = useMemo(
    () => [...new Set(devices.map((device) => device.vendor).filter((vendor): vendor is string => !!vendor))].sort(),
    [devices],
  );

  // The router renders a navigation in a transition, so the URL can be ahead of `filters` for a moment;
  // changes build on the latest requested state, never on a stale render (two quick changes keep both).
  const latest = useRef(filters);
  useEffect(() => {
    latest.current = filters;
  }, [filters]);
  const navigateTo = (next: DeviceFilters) => {
    latest.current = next;
    setSearchParams(searchFromFilters(next));
  };
  const update = (change: Partial<DeviceFilters>) => navigateTo(changeFilters(latest.current, change));
  const reset = () => navigateTo(NO_FILTERS);

  return (
    <>
      <h1>Devices</h1>
      {active && discovery.data?.latest_run && (
        <Alert tone="info">
          <strong>Discovery in progress</strong> (scope {discovery.data.latest_run.scope ?? 'default'}, queued{' '}
          {formatDateTime(discovery.data.latest_run.queued_at)}
          {discovery.data.latest_run.started_at
            ? `, started ${formatDateTime(discovery.data.latest_run.started_at)}`
            : ''}
          ). This page refreshes every 10 seconds until it finishes.
        </Alert>
      )}
      <Card>
        <DeviceFilterBar
          filters={filters}
          taxonomy={taxonomy.data}
          vendors={vendors}
          onChange={update}
          onReset={reset}
        />
      </Card>
      <Card
        title="Device list"
        actions={active ? <LastUpdated at={list.dataUpdatedAt} fetching={list.isFetching} /> : undefined}
      >
        <p className="summary-line" aria-live="polite">
          {summary(filters, list.data, (tag) => tagLabel(taxonomy.data, tag))}
        </p>
        {isAdmin && devices.length > 0 && <BulkTagBar selection={selection} taxonomy={taxonomy.data} />}
        <p className="muted small copy-status" role="status">
          {copied}
        </p>
        {list.isPending ? (
          <Skeleton lines={6} />
        ) : list.isError ? (
          <>
            <ErrorAlert error={list.error} prefix="Devices could not be loaded" />
            <div className="card-actions">
              <Button onClick={() => list.refetch()}>Try again</Button>
              {isFiltered(filters) && <Button onClick={reset}>Reset filters</Button>}
            </div>
          </>
        ) : devices.length === 0 ? (
          <EmptyState title={filters.cursor ? 'No more devices' : 'No devices found'}>
            {isFiltered(filters) ? (
              <p>
                Nothing matches these filters. Change them or <Button onClick={reset}>reset everything</Button>
              </p>
            ) : (
              <p>Run a discovery or create a device by hand to fill the list.</p>
            )}
          </EmptyState>
        ) : (
          <DeviceTable
            devices={devices}
            taxonomy={taxonomy.data}
            now={list.dataUpdatedAt || Date.now()}
            selection={isAdmin ? selection : undefined}
            onCopied={setCopied}
          />
        )}
        {list.isError && list.data && <p className="muted small">Showing the last page that loaded.</p>}
        <nav className="pager" aria-label="Pages">
          {filters.cursor && <Button onClick={() => update({ cursor: '' })}>First page</Button>}
          <Button
            onClick={() => list.data?.cursor && update({ cursor: list.data.cursor })}
            disabled={!list.data?.cursor || list.isPlaceholderData}
          >
            Next page
          </Button>
        </nav>
      </Card>
      <AdminOnly>
        <CreateDeviceForm />
      </AdminOnly>
    </>
  );
}

/** "3 devices on this page · search "sw" · Online · tag Switch · sorted by Newest created · first page". */
export function summary(
  filters: DeviceFilters,
  page: DeviceListT | undefined,
  labelOf: (tag: string) => string,
): string {
  const parts: string[] = [];
  if (page) {
    const count = page.devices.length;
    const described = page.devices.filter(
      (device) => device.metadata && Object.keys(device.metadata).length > 0,
    ).length;
    parts.push(`${count} device${count === 1 ? '' : 's'} on this page (${described} with metadata)`);
  }
  if (filters.q) parts.push(`search "${filters.q}"`);
  parts.push(statusLabel(filters.status));
  if (filters.tag) parts.push(`tag ${labelOf(filters.tag)}`);
  if (filters.vendor) parts.push(`vendor ${filters.vendor}`);
  if (filters.subnet) parts.push(`subnet ${filters.subnet}`);
  parts.push(`sorted by ${sortLabel(filters.sort)}`);
  parts.push(filters.cursor ? 'a later page' : 'first page');
  return parts.join(' · ');
}
