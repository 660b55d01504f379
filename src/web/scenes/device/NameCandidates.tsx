import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { DeviceT, NameCandidatesT } from '../../api/types.ts';
import { useIsAdmin } from '../../app/session.tsx';
import { Alert, Badge, Button, DateTime, EmptyState, ErrorAlert, Skeleton } from '../../components/ui.tsx';
import { DEVICES_KEY } from '../devices/queries.ts';
import { candidatesKey } from './keys.ts';

export const MAX_CANDIDATES = 12;

/** De-duplicated by source, name (ignoring case) and address; at most 12, in core's order (SPEC §10.9.4). */
export function uniqueCandidates(candidates: NameCandidatesT): NameCandidatesT {
  const seen = new Set<string>();
  const out: NameCandidatesT = [];
  for (const candidate of candidates) {
    const key = `${candidate.source}|${candidate.name.toLowerCase()}|${candidate.address ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(candidate);
    if (out.length === MAX_CANDIDATES) break;
  }
  return out;
}

/** Names discovery heard for the device; admins can make one the display name. */
export function NameCandidates({ device }: { device: DeviceT }) {
  const client = useQueryClient();
  const isAdmin = useIsAdmin();
  const candidates = useQuery({
    queryKey: candidatesKey(device.id),
    queryFn: ({ signal }) => api.get<NameCandidatesT>(`/api/v1/devices/${device.id}/name-candidates`, signal),
  });
  const apply = useMutation({
    mutationFn: (name: string) => api.put<DeviceT>(`/api/v1/devices/${device.id}`, { display_name: name.trim() }),
    onSuccess: () => client.invalidateQueries({ queryKey: DEVICES_KEY }),
  });
  const current = device.display_name?.trim().toLowerCase() ?? '';
  return (
    <section className="name-candidates">
      <div className="section-header">
        <h3>Name suggestions</h3>
        <Button onClick={() => candidates.refetch()} pending={candidates.isFetching} pendingLabel="Refreshing…">
          Refresh
        </Button>
      </div>
      <p className="muted small">Current name: {device.display_name?.trim() ? device.display_name : '(unnamed)'}</p>
      {apply.isError && <ErrorAlert error={apply.error} prefix="The name was not changed" />}
      {apply.isSuccess && (
        <Alert tone="success">Display name set to {apply.data.display_name ?? apply.variables}.</Alert>
      )}
      {candidates.isPending ? (
        <Skeleton lines={2} />
      ) : candidates.isError ? (
        <ErrorAlert error={candidates.error} prefix="Name suggestions could not be loaded" />
      ) : candidates.data.length === 0 ? (
        <EmptyState title="No name suggestions yet">
          <p>A discovery run with name lookups (DNS, mDNS, NetBIOS, SNMP) fills these in.</p>
        </EmptyState>
      ) : (
        <ul className="plain-list candidate-list">
          {uniqueCandidates(candidates.data).map((candidate) => {
            const name = candidate.display_name || candidate.name;
            const isCurrent = name.toLowerCase() === current || candidate.name.toLowerCase() === current;
            return (
              <li key={`${candidate.source}|${candidate.name}|${candidate.address ?? ''}`} className="candidate">
                <span>
                  <strong>{name}</strong> <Badge tone="info">{candidate.source}</Badge>{' '}
                  {isCurrent && <Badge tone="success">Current</Badge>}
                  {!candidate.valid && <Badge tone="warning">not usable</Badge>}
                  <span className="muted small candidate-origin">
                    {candidate.address ? `From ${candidate.address} · ` : ''}
                    <DateTime value={candidate.observed_at} /> · score {candidate.score}
                  </span>
                </span>
                {isAdmin && !isCurrent && candidate.valid && (
                  <Button
                    onClick={() => apply.mutate(name)}
                    pending={apply.isPending && apply.variables === name}
                    pendingLabel="Saving…"
                    disabled={apply.isPending}
                    aria-label={`Use ${name} as the display name`}
                  >
                    Use this name
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
