import { Link } from 'react-router';
import type { DeviceT, TagTaxonomyT } from '../../api/types.ts';
import { Badge, Button, copyText, DateTime } from '../../components/ui.tsx';
import { DeviceStatusBadges, deviceName, shortId } from './device-status.tsx';
import { tagLabel } from './queries.ts';

/** One device of the list; the checkbox only for admins (bulk tagging). */
export function DeviceRow({
  device,
  taxonomy,
  now,
  selectable,
  selected,
  onToggle,
  onCopied,
}: {
  device: DeviceT;
  taxonomy: TagTaxonomyT | undefined;
  now: number;
  selectable: boolean;
  selected: boolean;
  onToggle: () => void;
  onCopied: (message: string) => void;
}) {
  const name = deviceName(device);
  const tags = device.tags ?? [];
  const copy = async (text: string, what: string) => {
    try {
      await copyText(text);
      onCopied(`Copied ${what} of ${name}.`);
    } catch {
      onCopied(`Could not copy the ${what}; select it and copy by hand: ${text}`);
    }
  };
  const where = [device.metadata?.owner, device.metadata?.location].filter(Boolean).join(' · ');
  return (
    <tr className={selected ? 'row-selected' : undefined} data-device-row={device.id}>
      {selectable && (
        <td className="select-cell">
          <input type="checkbox" checked={selected} onChange={onToggle} aria-label={`Select ${name}`} />
        </td>
      )}
      <td data-label="Name">
        <Link to={`/devices/${device.id}`} className="device-link">
          {name}
        </Link>{' '}
        <code className="muted small">{shortId(device.id)}</code>
        {where && <div className="muted small">{where}</div>}
      </td>
      <td data-label="Primary IP" className="mono">
        {device.primary_ip ?? '—'}
      </td>
      <td data-label="MAC" className="mono hide-narrow">
        {device.primary_mac ?? '—'}
      </td>
      <td data-label="Vendor" className="hide-narrow">
        {device.vendor ?? '—'}
      </td>
      <td data-label="Tags">
        {tags.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <span className="badge-row">
            {tags.slice(0, 2).map((tag) => (
              <Badge key={tag} tone="info">
                {tagLabel(taxonomy, tag)}
              </Badge>
            ))}
            {tags.length > 2 && <Badge title={tags.slice(2).join(', ')}>+{tags.length - 2}</Badge>}
          </span>
        )}
      </td>
      <td data-label="Status">
        <DeviceStatusBadges device={device} now={now} showLastSeen />
      </td>
      <td data-label="Created" className="hide-narrow">
        <DateTime value={device.created_at} />
      </td>
      <td data-label="Actions">
        <span className="row-actions">
          <Link className="button button-default" to={`/devices/${device.id}`} aria-label={`Open ${name}`}>
            Open
          </Link>
          <Button onClick={() => copy(device.id, 'the id')} aria-label={`Copy id of ${name}`}>
            Copy ID
          </Button>
          <Button
            onClick={() => device.primary_ip && copy(device.primary_ip, 'the IP')}
            disabled={!device.primary_ip}
            aria-label={`Copy IP of ${name}`}
          >
            Copy IP
          </Button>
        </span>
      </td>
    </tr>
  );
}
