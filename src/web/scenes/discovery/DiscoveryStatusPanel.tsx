import { useDiscoveryStatus } from '../../app/Shell.tsx';
import { Card, DateTime, EmptyState, ErrorAlert, LastUpdated, Skeleton, StatusBadge } from '../../components/ui.tsx';
import { runTiming } from './model.ts';
import { RunSettingsLine, useNow } from './parts.tsx';

/** The latest run at a glance (SPEC §10.9.1, left side); shares the header's 10 s status poll. */
export function DiscoveryStatusPanel() {
  const status = useDiscoveryStatus();
  const latest = status.data?.latest_run;
  const now = useNow(latest?.status === 'running');
  if (status.isPending) {
    return (
      <Card title="Latest run">
        <Skeleton lines={3} />
      </Card>
    );
  }
  if (status.isError && !status.data) {
    return (
      <Card title="Latest run">
        <ErrorAlert error={status.error} prefix="Discovery status could not be loaded" />
      </Card>
    );
  }
  return (
    <Card
      title={
        <>
          Latest run <StatusBadge status={status.data?.status ?? 'idle'} />
        </>
      }
    >
      <LastUpdated at={status.dataUpdatedAt} fetching={status.isFetching} />
      {status.isError && <ErrorAlert error={status.error} prefix="Refreshing the status failed" />}
      {!latest ? (
        <EmptyState title="No run yet">
          <p>Discovery has not run on this server.</p>
        </EmptyState>
      ) : (
        <>
          <p className="small">
            <RunSettingsLine run={latest} />
          </p>
          <p className="small muted">
            <DateTime value={latest.started_at ?? latest.queued_at} />
            {latest.completed_at && (
              <>
                {' → '}
                <DateTime value={latest.completed_at} />
              </>
            )}
            {typeof latest.stats.stage === 'string' && ` (${latest.stats.stage})`}
            {runTiming(latest, now) && ` • ${runTiming(latest, now)}`}
          </p>
          {latest.status === 'succeeded' && (
            <p className="small">
              Devices seen: {String(latest.stats.devices_seen ?? 0)} • Created:{' '}
              {String(latest.stats.devices_created ?? 0)} • ARP entries: {String(latest.stats.arp_entries ?? 0)}
            </p>
          )}
          {latest.last_error && <ErrorAlert error={new Error(`Error: ${latest.last_error}`)} />}
        </>
      )}
    </Card>
  );
}
