import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { DeviceT } from '../../api/types.ts';
import { useIsAdmin } from '../../app/session.tsx';
import { Alert, Button, ErrorAlert, Field } from '../../components/ui.tsx';
import { DEVICES_KEY } from '../devices/queries.ts';

type MetadataFields = { owner: string; location: string; notes: string };

/** Only the fields that differ, trimmed; blank → null (clears). The display name is never touched. */
export function metadataChanges(before: DeviceT['metadata'], after: MetadataFields): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const key of ['owner', 'location', 'notes'] as const) {
    const next = after[key].trim();
    if (next !== (before?.[key] ?? '')) changes[key] = next === '' ? null : next;
  }
  return changes;
}

/** Owner, location and notes: a form for admins, plain text for read-only users (SPEC §10.9.3). */
export function MetadataEditor({ device }: { device: DeviceT }) {
  const isAdmin = useIsAdmin();
  if (!isAdmin) {
    return (
      <section>
        <h3>Metadata</h3>
        <dl className="facts">
          <dt>Owner</dt>
          <dd>{device.metadata?.owner ?? '—'}</dd>
          <dt>Location</dt>
          <dd>{device.metadata?.location ?? '—'}</dd>
          <dt>Notes</dt>
          <dd className="pre-wrap">{device.metadata?.notes ?? '—'}</dd>
        </dl>
      </section>
    );
  }
  return <MetadataForm device={device} />;
}

function MetadataForm({ device }: { device: DeviceT }) {
  const client = useQueryClient();
  const [fields, setFields] = useState<MetadataFields>({
    owner: device.metadata?.owner ?? '',
    location: device.metadata?.location ?? '',
    notes: device.metadata?.notes ?? '',
  });
  const changes = metadataChanges(device.metadata, fields);
  const dirty = Object.keys(changes).length > 0;
  const save = useMutation({
    mutationFn: () => api.put<DeviceT>(`/api/v1/devices/${device.id}`, { metadata: changes }),
    onSuccess: (updated) => {
      setFields({
        owner: updated.metadata?.owner ?? '',
        location: updated.metadata?.location ?? '',
        notes: updated.metadata?.notes ?? '',
      });
      return client.invalidateQueries({ queryKey: DEVICES_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (dirty) save.mutate();
  };
  const set = (key: keyof MetadataFields) => (event: { target: { value: string } }) => {
    save.reset();
    setFields((current) => ({ ...current, [key]: event.target.value }));
  };
  return (
    <form onSubmit={submit} className="form-grid" aria-label="Metadata">
      <h3>Metadata</h3>
      <Field label="Owner">
        <input value={fields.owner} maxLength={4096} onChange={set('owner')} />
      </Field>
      <Field label="Location">
        <input value={fields.location} maxLength={4096} onChange={set('location')} />
      </Field>
      <Field label="Notes">
        <textarea value={fields.notes} maxLength={4096} onChange={set('notes')} />
      </Field>
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={!dirty} pending={save.isPending} pendingLabel="Saving…">
          Save metadata
        </Button>
        <Button
          disabled={!dirty || save.isPending}
          onClick={() =>
            setFields({
              owner: device.metadata?.owner ?? '',
              location: device.metadata?.location ?? '',
              notes: device.metadata?.notes ?? '',
            })
          }
        >
          Discard changes
        </Button>
      </div>
      {save.isError && <ErrorAlert error={save.error} prefix="Metadata was not saved" />}
      {save.isSuccess && <Alert tone="success">Metadata updated.</Alert>}
    </form>
  );
}
