import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { DevicePresenceSettingsT, DeviceT, DeviceWatchT } from '../../api/types.ts';
import { useIsAdmin } from '../../app/session.tsx';
import { Alert, Badge, Button, Card, DateTime, ErrorAlert, Field, Skeleton } from '../../components/ui.tsx';
import { formatDuration } from '../alerts/model.ts';
import { explainError } from '../alerts/parts.tsx';
import {
  type PresenceDraft,
  type PresenceErrors,
  presenceBody,
  presenceDraft,
  presenceErrors,
  scansText,
  sourceText,
} from '../alerts/presence-model.ts';
import { deviceKey, tagLabel, useTaxonomy } from '../devices/queries.ts';

const watchKey = (id: string) => [...deviceKey(id), 'watch'] as const;
const settingsKey = (id: string) => [...deviceKey(id), 'presence-settings'] as const;

const STATE_LABEL = { online: 'Online', offline: 'Offline', unknown: 'Unknown' } as const;

/** Presence (state, last answer, missed scans), the watch flag and the device's own presence thresholds (issue 11). */
export function PresenceAlertsCard({ device }: { device: DeviceT }) {
  return (
    <Card title="Presence and alerts" className="presence-card">
      <PresenceFacts device={device} />
      <WatchToggle id={device.id} />
      <PresenceSettings id={device.id} />
    </Card>
  );
}

function PresenceFacts({ device }: { device: DeviceT }) {
  const presence = device.presence;
  if (!presence) {
    return <p className="muted">This server does not report presence for devices.</p>;
  }
  return (
    <dl className="facts" aria-label="Presence">
      <dt>State</dt>
      <dd data-testid="presence-state">
        <Badge tone={presence.state === 'online' ? 'success' : presence.state === 'offline' ? 'danger' : 'neutral'}>
          {STATE_LABEL[presence.state]}
        </Badge>
        {presence.since && (
          <span className="muted">
            {' '}
            since <DateTime value={presence.since} />
          </span>
        )}
        {presence.state === 'unknown' && <span className="muted"> (no scan covering it has judged it yet)</span>}
      </dd>
      <dt>Last answer</dt>
      <dd>
        <DateTime value={presence.last_seen_at} />
        {presence.last_seen_by.length > 0 && <span className="muted"> by {presence.last_seen_by.join(', ')}</span>}
      </dd>
      <dt>Missed scans</dt>
      <dd>{presence.missed_scans === 0 ? 'none' : scansText(presence.missed_scans)} in a row</dd>
      <dt>Last covering scan</dt>
      <dd>
        <DateTime value={presence.checked_at} />
      </dd>
    </dl>
  );
}

function WatchToggle({ id }: { id: string }) {
  const admin = useIsAdmin();
  const client = useQueryClient();
  const watch = useQuery({
    queryKey: watchKey(id),
    queryFn: ({ signal }) => api.get<DeviceWatchT>(`/api/v1/devices/${encodeURIComponent(id)}/watch`, signal),
  });
  const change = useMutation({
    mutationFn: async (on: boolean): Promise<DeviceWatchT> => {
      const path = `/api/v1/devices/${encodeURIComponent(id)}/watch`;
      if (on) return api.put<DeviceWatchT>(path, {});
      await api.delete(path);
      return { device_id: id, watched: false };
    },
    onSuccess: (answer) => client.setQueryData(watchKey(id), answer),
  });
  if (watch.isPending) return <Skeleton lines={1} />;
  if (watch.isError) return <ErrorAlert error={watch.error} prefix="The watch flag could not be loaded" />;
  const { watched, watched_since: since } = watch.data;
  return (
    <div className="presence-section">
      <h3>Watch list</h3>
      {admin ? (
        <label className="checkbox">
          <input
            type="checkbox"
            // While the change is on its way the box shows what was asked for; a failure puts it back.
            checked={change.isPending ? change.variables : watched}
            disabled={change.isPending}
            onChange={(event) => change.mutate(event.target.checked)}
          />
          Watch this device
        </label>
      ) : null}
      <p className="muted small" data-testid="watch-state">
        {watched ? (
          <>
            Watched since <DateTime value={since} />.
          </>
        ) : (
          'Not watched.'
        )}{' '}
        Watched devices get a <code>roller_device_up</code> gauge and match rules limited to{' '}
        <Link to="/alerts">watched devices</Link>.
      </p>
      {change.isError && <ErrorAlert error={change.error} prefix="The watch flag was not changed" />}
    </div>
  );
}

function PresenceSettings({ id }: { id: string }) {
  const admin = useIsAdmin();
  const taxonomy = useTaxonomy();
  const settings = useQuery({
    queryKey: settingsKey(id),
    queryFn: ({ signal }) =>
      api.get<DevicePresenceSettingsT>(`/api/v1/devices/${encodeURIComponent(id)}/presence-settings`, signal),
  });
  const label = (tag: string) => tagLabel(taxonomy.data, tag);
  if (settings.isPending) return <Skeleton lines={2} />;
  if (settings.isError) return <ErrorAlert error={settings.error} prefix="Presence settings could not be loaded" />;
  const { effective, override } = settings.data;
  return (
    <div className="presence-section">
      <h3>When it counts as offline</h3>
      <dl className="facts" aria-label="Presence settings">
        <dt>Missed scans</dt>
        <dd data-testid="effective-missed-scans">
          {effective.missed_scans}{' '}
          <span className="muted small">({sourceText(effective.missed_scans_source, label)})</span>
        </dd>
        <dt>Grace period</dt>
        <dd data-testid="effective-grace">
          {formatDuration(effective.grace_s)}{' '}
          <span className="muted small">({sourceText(effective.grace_s_source, label)})</span>
        </dd>
        {override.updated_at && (
          <>
            <dt>Changed</dt>
            <dd>
              <DateTime value={override.updated_at} />
              {override.updated_by ? ` by ${override.updated_by}` : ''}
            </dd>
          </>
        )}
      </dl>
      {admin && <PresenceSettingsForm id={id} settings={settings.data} />}
    </div>
  );
}

function PresenceSettingsForm({ id, settings }: { id: string; settings: DevicePresenceSettingsT }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<PresenceDraft>(presenceDraft(settings.override));
  const [errors, setErrors] = useState<PresenceErrors>({});
  const [notice, setNotice] = useState<string>();
  const path = `/api/v1/devices/${encodeURIComponent(id)}/presence-settings`;
  const save = useMutation({
    mutationFn: (body: ReturnType<typeof presenceBody>) => api.put<DevicePresenceSettingsT>(path, body),
    onSuccess: (answer) => {
      client.setQueryData(settingsKey(id), answer);
      setErrors({});
      setNotice('Presence settings saved.');
    },
  });
  const reset = useMutation({
    mutationFn: () => api.delete(path),
    onSuccess: async () => {
      setDraft(presenceDraft(undefined));
      setErrors({});
      await client.invalidateQueries({ queryKey: settingsKey(id) });
      setNotice('This device inherits its presence settings again.');
    },
  });
  const hasOverride = settings.override.missed_scans !== undefined || settings.override.grace_s !== undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice(undefined);
    const found = presenceErrors(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(presenceBody(draft));
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Presence settings of this device" className="form-grid">
      <div className="toolbar">
        <Field
          label="Missed scans before offline"
          hint="Empty: inherit from its tags or the global default"
          error={errors.missedScans}
        >
          <input
            inputMode="numeric"
            value={draft.missedScans}
            onChange={(event) => setDraft({ ...draft, missedScans: event.target.value })}
          />
        </Field>
        <Field label="Grace period" hint="Since the last answer, e.g. 10m; empty: inherit" error={errors.grace}>
          <input
            value={draft.grace}
            spellCheck={false}
            onChange={(event) => setDraft({ ...draft, grace: event.target.value })}
          />
        </Field>
      </div>
      {notice && <Alert tone="success">{notice}</Alert>}
      {save.isError && <ErrorAlert error={explainError(save.error)} prefix="Presence settings were not saved" />}
      {reset.isError && <ErrorAlert error={reset.error} prefix="Presence settings were not reset" />}
      <div className="form-actions">
        <Button type="submit" variant="primary" pending={save.isPending} pendingLabel="Saving…">
          Save presence settings
        </Button>
        {hasOverride && (
          <Button onClick={() => reset.mutate()} pending={reset.isPending} pendingLabel="Resetting…">
            Inherit all
          </Button>
        )}
      </div>
    </form>
  );
}
