import { Link } from 'react-router';
import type { DeviceT, TagTaxonomyT } from '../../api/types.ts';
import { Badge, Card, DateTime } from '../../components/ui.tsx';
import { DeviceStatusBadges, deviceName, shortId } from '../devices/device-status.tsx';
import { tagLabel } from '../devices/queries.ts';

/** Name, short id, IP, status and tag badges, and the overview facts (SPEC §10.5). */
export function DeviceHeader({
  device,
  taxonomy,
  now,
}: {
  device: DeviceT;
  taxonomy: TagTaxonomyT | undefined;
  now: number;
}) {
  const tags = device.tags ?? [];
  return (
    <>
      <p>
        <Link to="/devices">← Back to devices</Link>
      </p>
      <header className="device-header">
        <h1>{deviceName(device)}</h1>
        <p className="muted">What it is, what changed, and what is true now.</p>
        <div className="badge-row">
          <Badge title={device.id}>
            <span className="mono">{shortId(device.id)}</span>
          </Badge>
          {device.primary_ip && (
            <Badge tone="info">
              <span className="mono">{device.primary_ip}</span>
            </Badge>
          )}
          <DeviceStatusBadges device={device} now={now} />
          {tags.slice(0, 6).map((tag) => (
            <Badge key={tag} tone="info">
              {tagLabel(taxonomy, tag)}
            </Badge>
          ))}
          {tags.length > 6 && <Badge>+{tags.length - 6}</Badge>}
        </div>
      </header>
      <Card title="Overview">
        <dl className="facts">
          <dt>Device id</dt>
          <dd className="mono break">{device.id}</dd>
          <dt>Primary IP</dt>
          <dd className="mono">{device.primary_ip ?? '—'}</dd>
          <dt>Primary MAC</dt>
          <dd className="mono">{device.primary_mac ?? '—'}</dd>
          <dt>Vendor</dt>
          <dd>{device.vendor ?? '—'}</dd>
          <dt>Last seen</dt>
          <dd>
            <DateTime value={device.last_seen_at} />
          </dd>
          <dt>Last changed</dt>
          <dd>
            <DateTime value={device.last_change_at} />
          </dd>
          <dt>Created</dt>
          <dd>
            <DateTime value={device.created_at} />
          </dd>
        </dl>
      </Card>
    </>
  );
}
