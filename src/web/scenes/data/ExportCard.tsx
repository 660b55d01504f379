import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { DeviceListT } from '../../api/types.ts';
import { Button, Card, ErrorAlert, Skeleton } from '../../components/ui.tsx';

export const EXPORT_JSON = '/api/v1/devices/export';
export const EXPORT_CSV = '/api/v1/devices/export.csv';
export const EXPORT_SCHEMA = '/api/v1/devices/export/schema';

/**
 * Snapshot downloads, for every signed-in user. Plain links: the browser sends the session cookie
 * and saves the streamed answer under the server's file name, however many devices there are.
 */
export function ExportCard() {
  // One device is enough to tell an empty Roller from a populated one.
  const sample = useQuery({
    queryKey: ['devices', 'list', { limit: 1 }, 'data-scene'],
    queryFn: ({ signal }) => api.get<DeviceListT>('/api/v1/devices?limit=1', signal),
  });
  return (
    <Card title="Export a snapshot">
      <p>
        Every device with its id, name, owner, location, notes, manual tags, current IPs and MACs and creation time. The
        JSON snapshot can be imported again, here or into another Roller; the CSV is for spreadsheets.
      </p>
      {sample.isPending ? (
        <Skeleton lines={1} />
      ) : sample.isError ? (
        <div className="toolbar">
          <ErrorAlert error={sample.error} prefix="Could not check the device list" />
          <Button onClick={() => sample.refetch()}>Try again</Button>
        </div>
      ) : sample.data.devices.length === 0 ? (
        <p className="muted" role="status">
          Roller has no devices yet: the export is an empty snapshot (which imports fine).
        </p>
      ) : null}
      <div className="card-actions">
        <a className="button button-primary" href={EXPORT_JSON} download>
          Download JSON
        </a>
        <a className="button" href={EXPORT_CSV} download>
          Download CSV
        </a>
        <a className="button" href={EXPORT_SCHEMA} target="_blank" rel="noopener">
          JSON Schema
        </a>
      </div>
      <p className="field-hint">
        Discovered facts (interfaces, services, SNMP data, history, automatic tags) are not part of a snapshot; the next
        discovery run finds them again.
      </p>
    </Card>
  );
}
