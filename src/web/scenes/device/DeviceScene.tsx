import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ApiError, api } from '../../api/client.ts';
import type { DeviceT } from '../../api/types.ts';
import { ErrorView } from '../../app/states.tsx';
import { Card, EmptyState, Skeleton } from '../../components/ui.tsx';
import { deviceKey, useTaxonomy } from '../devices/queries.ts';
import { DeviceHeader } from './DeviceHeader.tsx';
import { FactsCard } from './FactsCard.tsx';
import { HistoryTimeline } from './HistoryTimeline.tsx';
import { MetadataEditor } from './MetadataEditor.tsx';
import { NameCandidates } from './NameCandidates.tsx';
import { PresenceAlertsCard } from './PresenceAlertsCard.tsx';
import { TagsPanel } from './TagsPanel.tsx';

/** /devices/:id: one device, its facts, metadata, names, tags and history (issue 7 item 3). */
export function DeviceScene() {
  const { id = '' } = useParams();
  const device = useQuery({
    queryKey: deviceKey(id),
    queryFn: ({ signal }) => api.get<DeviceT>(`/api/v1/devices/${encodeURIComponent(id)}`, signal),
  });
  const taxonomy = useTaxonomy();
  if (device.isPending) return <Skeleton lines={8} />;
  if (device.isError) {
    const { error } = device;
    if (error instanceof ApiError && (error.status === 404 || error.code === 'invalid_id')) {
      return <DeviceNotFound id={id} />;
    }
    return <ErrorView error={error} onRetry={() => device.refetch()} />;
  }
  return (
    <div className="device-detail" key={id}>
      <DeviceHeader device={device.data} taxonomy={taxonomy.data} now={device.dataUpdatedAt || Date.now()} />
      <div className="grid-2">
        <div>
          <FactsCard id={id} />
        </div>
        <div>
          <Card title="Metadata and name">
            <NameCandidates device={device.data} />
            <MetadataEditor key={device.data.id} device={device.data} />
          </Card>
          <TagsPanel id={id} />
          <PresenceAlertsCard device={device.data} />
        </div>
      </div>
      <HistoryTimeline id={id} />
    </div>
  );
}

function DeviceNotFound({ id }: { id: string }) {
  return (
    <EmptyState title="Device not found">
      <p>
        There is no device <code>{id}</code>; it may have been removed. <Link to="/devices">Back to devices</Link>
      </p>
    </EmptyState>
  );
}
