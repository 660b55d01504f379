import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { DeviceFactsT } from '../../api/types.ts';
import { Badge, Card, DateTime, ErrorAlert, formatDateTime, Skeleton } from '../../components/ui.tsx';
import { shortId } from '../devices/device-status.tsx';
import { factsKey } from './keys.ts';

const byText = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

function Stale({ stale, since }: { stale: boolean; since?: string }) {
  if (!stale) return null;
  return (
    <Badge tone="warning" title={since ? `Not confirmed since ${formatDateTime(since)}` : undefined}>
      stale
    </Badge>
  );
}

function Section({
  title,
  empty,
  count,
  children,
}: {
  title: string;
  empty: string;
  count: number;
  children: ReactNode;
}) {
  return (
    <section className="facts-section">
      <h3>
        {title} <span className="muted small">({count})</span>
      </h3>
      {count === 0 ? <p className="muted small">{empty}</p> : children}
    </section>
  );
}

export function speedText(bps: number | undefined): string {
  if (bps === undefined) return '—';
  return `${(bps / 1_000_000).toFixed(1)} Mb/s`;
}

/** IPs, MACs, interfaces, services, SNMP, VLANs and links (GET …/facts), each sorted and with an empty hint. */
export function FactsCard({ id }: { id: string }) {
  const facts = useQuery({
    queryKey: factsKey(id),
    queryFn: ({ signal }) => api.get<DeviceFactsT>(`/api/v1/devices/${id}/facts`, signal),
  });
  return (
    <Card title="Facts">
      {facts.isPending ? (
        <Skeleton lines={5} />
      ) : facts.isError ? (
        <ErrorAlert error={facts.error} prefix="Facts could not be loaded" />
      ) : (
        <FactsBody facts={facts.data} />
      )}
    </Card>
  );
}

function FactsBody({ facts }: { facts: DeviceFactsT }) {
  const ips = [...facts.ips].sort((a, b) => byText(a.ip, b.ip));
  const macs = [...facts.macs].sort((a, b) => byText(a.mac, b.mac));
  const interfaces = [...facts.interfaces].sort((a, b) => byText(a.name ?? a.id, b.name ?? b.id));
  const services = [...facts.services].sort(
    (a, b) => (a.port ?? 0) - (b.port ?? 0) || byText(a.protocol ?? '', b.protocol ?? ''),
  );
  const vlans = [...facts.vlans].sort((a, b) => a.vlan_id - b.vlan_id);
  return (
    <div className="facts-grid">
      <Section title="IP addresses" count={ips.length} empty="No IP addresses yet.">
        <ul className="plain-list">
          {ips.map((row) => (
            <li key={`${row.ip}-${row.interface_id ?? ''}`}>
              <span className="mono">
                {row.ip}
                {row.prefix_length !== undefined ? `/${row.prefix_length}` : ''}
              </span>{' '}
              <span className="muted small">
                {row.interface_name ?? 'unknown interface'} · {row.source ?? 'unknown source'} · updated{' '}
                <DateTime value={row.updated_at} />
              </span>{' '}
              <Stale stale={row.stale} since={row.stale_since} />
            </li>
          ))}
        </ul>
      </Section>
      <Section title="MAC addresses" count={macs.length} empty="No MAC addresses yet.">
        <ul className="plain-list">
          {macs.map((row) => (
            <li key={`${row.mac}-${row.interface_id ?? ''}`}>
              <span className="mono">{row.mac}</span>{' '}
              <span className="muted small">
                {row.vendor ?? (row.locally_administered ? 'locally administered' : 'unknown vendor')} ·{' '}
                {row.interface_name ?? 'unknown interface'} · updated <DateTime value={row.updated_at} />
              </span>{' '}
              <Stale stale={row.stale} since={row.stale_since} />
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Interfaces" count={interfaces.length} empty="No interfaces known (SNMP fills these in).">
        <div className="table-wrap">
          <table className="compact-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>PVID</th>
                <th className="hide-narrow">Speed</th>
                <th className="hide-narrow">MTU</th>
                <th className="hide-narrow">Updated</th>
              </tr>
            </thead>
            <tbody>
              {interfaces.map((row) => (
                <tr key={row.id}>
                  <td>
                    {row.name ?? '(unnamed interface)'} <Stale stale={row.stale} since={row.stale_since} />
                    {(row.descr || row.alias) && (
                      <div className="muted small">{[row.alias, row.descr].filter(Boolean).join(' · ')}</div>
                    )}
                  </td>
                  <td>{row.pvid ?? '—'}</td>
                  <td className="hide-narrow">{speedText(row.speed_bps)}</td>
                  <td className="hide-narrow">{row.mtu ?? '—'}</td>
                  <td className="hide-narrow">
                    <DateTime value={row.updated_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section title="Services" count={services.length} empty="No services found (a port scan fills these in).">
        <ul className="plain-list">
          {services.map((row) => (
            <li key={`${row.protocol}-${row.port}`}>
              <span className="mono">
                {(row.protocol ?? '?').toUpperCase()} {row.port ?? '?'}
              </span>{' '}
              <span className="muted small">
                {[row.name, row.state ?? 'state unknown', row.source].filter(Boolean).join(' · ')} · observed{' '}
                <DateTime value={row.observed_at} />
              </span>{' '}
              <Stale stale={row.stale} since={row.stale_since} />
            </li>
          ))}
        </ul>
      </Section>
      <Section title="SNMP" count={facts.snmp ? 1 : 0} empty="SNMP data not captured yet.">
        {facts.snmp && (
          <dl className="facts">
            <dt>sysName</dt>
            <dd>{facts.snmp.sys_name ?? '—'}</dd>
            <dt>sysDescr</dt>
            <dd className="break">{facts.snmp.sys_descr ?? '—'}</dd>
            <dt>sysLocation</dt>
            <dd>{facts.snmp.sys_location ?? '—'}</dd>
            <dt>sysContact</dt>
            <dd>{facts.snmp.sys_contact ?? '—'}</dd>
            <dt>Last success</dt>
            <dd>
              <DateTime value={facts.snmp.last_success_at} />
            </dd>
            <dt>Last error</dt>
            <dd>{facts.snmp.last_error ?? '—'}</dd>
            <dt>Updated</dt>
            <dd>
              <DateTime value={facts.snmp.updated_at} />
            </dd>
          </dl>
        )}
      </Section>
      <Section title="VLANs" count={vlans.length} empty="The device reports no VLANs.">
        <ul className="plain-list">
          {vlans.map((row) => (
            <li key={row.vlan_id}>
              VLAN {row.vlan_id}
              {row.name ? ` · ${row.name}` : ''} <Stale stale={row.stale} since={row.stale_since} />
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Links" count={facts.links.length} empty="No links to other devices yet.">
        <ul className="plain-list">
          {facts.links.map((row) => (
            <li key={row.id}>
              {row.local_interface_name ?? 'port ?'} → {row.link_type ?? 'link'} →{' '}
              <Link to={`/devices/${row.peer_device_id}`}>{row.peer_device_name ?? shortId(row.peer_device_id)}</Link>
              {row.peer_interface_name ? ` (${row.peer_interface_name})` : ''}{' '}
              <span className="muted small">
                {row.protocols.length > 0 ? row.protocols.join(', ') : row.source} · updated{' '}
                <DateTime value={row.updated_at} />
              </span>{' '}
              <Stale stale={row.stale} since={row.stale_since} />
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}
