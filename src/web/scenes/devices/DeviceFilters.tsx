import { type FormEvent, useState } from 'react';
import type { TagTaxonomyT } from '../../api/types.ts';
import { Button, Field } from '../../components/ui.tsx';
import { type DeviceFilters, isFiltered, SORTS, type SortKey, STATUS_FILTERS } from './url-state.ts';

/**
 * Search, filters and sort of the devices list. Text filters (search, vendor, subnet) apply on
 * submit; status, tag and sort apply at once. Every change goes to the URL through onChange.
 */
export function DeviceFilterBar({
  filters,
  taxonomy,
  vendors,
  onChange,
  onReset,
}: {
  filters: DeviceFilters;
  taxonomy: TagTaxonomyT | undefined;
  /** Vendors seen on the current page, offered as suggestions. */
  vendors: readonly string[];
  onChange: (change: Partial<DeviceFilters>) => void;
  onReset: () => void;
}) {
  return (
    <section className="device-filters" aria-label="Search and filters">
      {/* Remounts when the URL's text filters change (Reset, back button), so the inputs follow the URL. */}
      <TextFilters
        key={`${filters.q}\u0000${filters.vendor}\u0000${filters.subnet}`}
        filters={filters}
        vendors={vendors}
        onChange={onChange}
        onReset={onReset}
      />
      <div className="toolbar">
        <fieldset className="toggle-group">
          <legend className="field-label">Status</legend>
          {STATUS_FILTERS.map((status) => (
            <button
              key={status.value}
              type="button"
              className={`toggle-pill ${filters.status === status.value ? 'toggle-pill-on' : ''}`}
              aria-pressed={filters.status === status.value}
              onClick={() => onChange({ status: status.value })}
            >
              {status.label}
            </button>
          ))}
        </fieldset>
        <Field label="Tag">
          <select value={filters.tag} onChange={(event) => onChange({ tag: event.target.value })}>
            <option value="">Any tag</option>
            {(taxonomy ?? []).map((entry) => (
              <option key={entry.tag} value={entry.tag}>
                {entry.label}
              </option>
            ))}
            {filters.tag && !taxonomy?.some((entry) => entry.tag === filters.tag) && (
              <option value={filters.tag}>{filters.tag}</option>
            )}
          </select>
        </Field>
        <Field label="Sort">
          <select value={filters.sort} onChange={(event) => onChange({ sort: event.target.value as SortKey })}>
            {SORTS.map((sort) => (
              <option key={sort.value} value={sort.value}>
                {sort.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
    </section>
  );
}

function TextFilters({
  filters,
  vendors,
  onChange,
  onReset,
}: {
  filters: DeviceFilters;
  vendors: readonly string[];
  onChange: (change: Partial<DeviceFilters>) => void;
  onReset: () => void;
}) {
  const [q, setQ] = useState(filters.q);
  const [vendor, setVendor] = useState(filters.vendor);
  const [subnet, setSubnet] = useState(filters.subnet);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ q: q.trim(), vendor: vendor.trim(), subnet: subnet.trim() });
  };
  return (
    <form className="toolbar" aria-label="Search devices" onSubmit={submit}>
      <Field label="Search">
        <input
          type="search"
          value={q}
          maxLength={200}
          placeholder="Name, IP, MAC, owner, notes…"
          onChange={(event) => setQ(event.target.value)}
        />
      </Field>
      <Field label="Vendor">
        <input
          value={vendor}
          maxLength={200}
          list="device-vendors"
          placeholder="Exact vendor"
          onChange={(event) => setVendor(event.target.value)}
        />
      </Field>
      <datalist id="device-vendors">
        {vendors.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <Field label="Subnet">
        <input
          value={subnet}
          maxLength={64}
          placeholder="10.0.0.0/24"
          spellCheck={false}
          onChange={(event) => setSubnet(event.target.value)}
        />
      </Field>
      <Button type="submit" variant="primary">
        Search
      </Button>
      <Button onClick={onReset} disabled={!isFiltered(filters) && filters.sort === 'created_desc' && !filters.cursor}>
        Reset
      </Button>
    </form>
  );
}
