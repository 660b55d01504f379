import { useEffect, useRef } from 'react';
import type { DeviceT, TagTaxonomyT } from '../../api/types.ts';
import { DeviceRow } from './DeviceRow.tsx';
import type { Selection } from './selection.ts';

/** The page of devices as a table; below 640 px every row stacks into a card (styles.css). */
export function DeviceTable({
  devices,
  taxonomy,
  now,
  selection,
  onCopied,
}: {
  devices: DeviceT[];
  taxonomy: TagTaxonomyT | undefined;
  now: number;
  /** Undefined for read-only users: no checkboxes at all. */
  selection: Selection | undefined;
  onCopied: (message: string) => void;
}) {
  const selectAll = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = selection?.someSelected ?? false;
  }, [selection?.someSelected]);
  return (
    <div className="table-wrap">
      <table className="stack-table device-table">
        <thead>
          <tr>
            {selection && (
              <th className="select-cell">
                <input
                  ref={selectAll}
                  type="checkbox"
                  aria-label="Select all devices on this page"
                  checked={selection.allSelected}
                  onChange={selection.toggleAll}
                />
              </th>
            )}
            <th>Name</th>
            <th>Primary IP</th>
            <th className="hide-narrow">MAC</th>
            <th className="hide-narrow">Vendor</th>
            <th>Tags</th>
            <th>Status</th>
            <th className="hide-narrow">Created</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => (
            <DeviceRow
              key={device.id}
              device={device}
              taxonomy={taxonomy}
              now={now}
              selectable={selection !== undefined}
              selected={selection?.has(device.id) ?? false}
              onToggle={() => selection?.toggle(device.id)}
              onCopied={onCopied}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
