import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { DeviceT } from '../../api/types.ts';
import { Alert, Button, Card, ErrorAlert, Field } from '../../components/ui.tsx';
import { deviceName } from './device-status.tsx';
import { DEVICES_KEY } from './queries.ts';

/** SPEC §10.9.6: only non-blank trimmed fields are sent; blank name → an unnamed device. Admins only. */
export function createDeviceBody(fields: { name: string; owner: string; location: string; notes: string }) {
  const metadata = Object.fromEntries(
    (['owner', 'location', 'notes'] as const)
      .map((key) => [key, fields[key].trim()] as const)
      .filter(([, value]) => value !== ''),
  );
  return {
    ...(fields.name.trim() ? { display_name: fields.name.trim() } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

export function CreateDeviceForm() {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [location, setLocation] = useState('');
  const [notes, setNotes] = useState('');
  const create = useMutation({
    mutationFn: () => api.post<DeviceT>('/api/v1/devices', createDeviceBody({ name, owner, location, notes })),
    onSuccess: () => {
      setName('');
      setOwner('');
      setLocation('');
      setNotes('');
      return client.invalidateQueries({ queryKey: DEVICES_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Card title="Create device">
      <form onSubmit={submit} className="form-grid">
        <Field label="Display name" hint="Optional; blank creates an unnamed device.">
          <input value={name} maxLength={255} onChange={(event) => setName(event.target.value)} />
        </Field>
        <Field label="Owner">
          <input value={owner} maxLength={4096} onChange={(event) => setOwner(event.target.value)} />
        </Field>
        <Field label="Location">
          <input value={location} maxLength={4096} onChange={(event) => setLocation(event.target.value)} />
        </Field>
        <Field label="Notes">
          <textarea value={notes} maxLength={4096} onChange={(event) => setNotes(event.target.value)} />
        </Field>
        <div className="form-actions">
          <Button type="submit" variant="primary" pending={create.isPending} pendingLabel="Creating…">
            Create device
          </Button>
        </div>
      </form>
      {create.isError && <ErrorAlert error={create.error} prefix="The device was not created" />}
      {create.isSuccess && (
        <Alert tone="success">
          Created {create.data.display_name ? deviceName(create.data) : 'device'} (
          <Link to={`/devices/${create.data.id}`}>{create.data.id}</Link>).
        </Alert>
      )}
    </Card>
  );
}
