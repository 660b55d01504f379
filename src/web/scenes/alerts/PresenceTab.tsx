import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { TagPresenceSettingsT } from '../../api/types.ts';
import { AdminOnly } from '../../app/Shell.tsx';
import { Alert, Button, Card, DateTime, EmptyState, ErrorAlert, Field, Skeleton } from '../../components/ui.tsx';
import { DEVICES_KEY, tagLabel, useTaxonomy } from '../devices/queries.ts';
import { formatDuration } from './model.ts';
import { explainError } from './parts.tsx';
import {
  type PresenceDraft,
  type PresenceErrors,
  presenceBody,
  presenceDraft,
  presenceErrors,
  sourceText,
} from './presence-model.ts';
import { alertKeys, useTagSettings } from './queries.ts';

/** Per-tag presence thresholds: how many missed scans and how long a grace before a device of a tag goes offline. */
export function PresenceTab() {
  const settings = useTagSettings();
  const taxonomy = useTaxonomy();
  const client = useQueryClient();
  const [editing, setEditing] = useState<string>();
  const [removing, setRemoving] = useState<string>();
  const [notice, setNotice] = useState<string>();
  // A new key after each save gives the next entry an empty form.
  const [saves, setSaves] = useState(0);
  const label = (tag: string) => tagLabel(taxonomy.data, tag);
  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: alertKeys.tagSettings }),
      // A tag's values flow into the effective settings of its devices.
      client.invalidateQueries({ queryKey: DEVICES_KEY }),
    ]);
  const remove = useMutation({
    mutationFn: (tag: string) => api.delete(`/api/v1/presence/tag-settings/${encodeURIComponent(tag)}`),
    onSuccess: async (_answer, tag) => {
      setNotice(`Tag ${label(tag)} inherits the global values again.`);
      await refresh();
    },
    onSettled: () => setRemoving(undefined),
  });
  const rows = settings.data ?? [];
  const stored = new Set(rows.map((row) => row.tag));
  return (
    <Card title="Presence settings per tag">
      <p className="muted">
        A device goes offline only after this many covering scans in a row without an answer and once the grace period
        since its last answer has passed. A device's own setting wins; with several tags it takes the largest values;
        otherwise the global defaults apply. Set a device's own values on its page.
      </p>
      {notice && <Alert tone="success">{notice}</Alert>}
      {settings.isPending ? (
        <Skeleton lines={3} />
      ) : settings.isError ? (
        <ErrorAlert error={settings.error} prefix="Presence settings could not be loaded" />
      ) : rows.length === 0 ? (
        <EmptyState title="No tag has its own presence settings">
          <p>Every device uses its own values or the global defaults.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table aria-label="Presence settings per tag">
            <thead>
              <tr>
                <th>Tag</th>
                <th>Missed scans</th>
                <th>Grace period</th>
                <th className="hide-narrow">Changed</th>
                <AdminOnly>
                  <th>Actions</th>
                </AdminOnly>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.tag}>
                  <td>{label(row.tag)}</td>
                  <td>
                    {row.effective.missed_scans}{' '}
                    <span className="muted small">({sourceText(row.effective.missed_scans_source, label)})</span>
                  </td>
                  <td>
                    {formatDuration(row.effective.grace_s)}{' '}
                    <span className="muted small">({sourceText(row.effective.grace_s_source, label)})</span>
                  </td>
                  <td className="hide-narrow small">
                    <DateTime value={row.override.updated_at} />
                    {row.override.updated_by ? ` by ${row.override.updated_by}` : ''}
                  </td>
                  <AdminOnly>
                    <td>
                      <div className="row-actions">
                        <Button
                          onClick={() => setEditing(row.tag)}
                          aria-label={`Edit presence settings of tag ${label(row.tag)}`}
                        >
                          Edit
                        </Button>
                        <Button
                          variant="danger"
                          onClick={() => {
                            setRemoving(row.tag);
                            remove.mutate(row.tag);
                          }}
                          pending={remove.isPending && removing === row.tag}
                          pendingLabel="Removing…"
                          aria-label={`Remove presence settings of tag ${label(row.tag)}`}
                        >
                          Remove
                        </Button>
                      </div>
                    </td>
                  </AdminOnly>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {remove.isError && <ErrorAlert error={remove.error} prefix="The setting was not removed" />}
      <AdminOnly>
        <TagSettingsForm
          key={`${editing ?? 'new'}-${saves}`}
          tag={editing}
          row={rows.find((row) => row.tag === editing)}
          tags={(taxonomy.data ?? []).map((entry) => ({
            value: entry.tag,
            label: entry.label,
            stored: stored.has(entry.tag),
          }))}
          onSaved={async (row) => {
            setNotice(`Presence settings of tag ${label(row.tag)} saved.`);
            setEditing(undefined);
            setSaves((count) => count + 1);
            await refresh();
          }}
          onCancel={() => setEditing(undefined)}
        />
      </AdminOnly>
    </Card>
  );
}

function TagSettingsForm({
  tag,
  row,
  tags,
  onSaved,
  onCancel,
}: {
  tag: string | undefined;
  row: TagPresenceSettingsT | undefined;
  tags: { value: string; label: string; stored: boolean }[];
  onSaved: (row: TagPresenceSettingsT) => void;
  onCancel: () => void;
}) {
  const [chosen, setChosen] = useState(tag ?? '');
  const [draft, setDraft] = useState<PresenceDraft>(presenceDraft(row?.override));
  const [errors, setErrors] = useState<PresenceErrors & { tag?: string }>({});
  const save = useMutation({
    mutationFn: () =>
      api.put<TagPresenceSettingsT>(`/api/v1/presence/tag-settings/${encodeURIComponent(chosen)}`, presenceBody(draft)),
    onSuccess: onSaved,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: PresenceErrors & { tag?: string } = presenceErrors(draft);
    if (chosen === '') found.tag = 'Choose a tag.';
    else if (draft.missedScans.trim() === '' && draft.grace.trim() === '')
      found.missedScans = 'Set missed scans, a grace period, or both.';
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate();
  };
  const title = tag ? 'Change a tag' : 'Set values for a tag';
  return (
    <form onSubmit={submit} noValidate aria-label={title} className="form-grid">
      <h3>{title}</h3>
      <div className="toolbar">
        <Field label="Tag" error={errors.tag}>
          <select value={chosen} disabled={tag !== undefined} onChange={(event) => setChosen(event.target.value)}>
            <option value="">Choose…</option>
            {tags.map((entry) => (
              <option key={entry.value} value={entry.value}>
                {entry.label}
                {entry.stored ? ' (has settings)' : ''}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Missed scans" hint="Empty: inherit" error={errors.missedScans}>
          <input
            inputMode="numeric"
            value={draft.missedScans}
            onChange={(event) => setDraft({ ...draft, missedScans: event.target.value })}
          />
        </Field>
        <Field label="Grace period" hint="e.g. 10m; empty: inherit" error={errors.grace}>
          <input
            value={draft.grace}
            spellCheck={false}
            onChange={(event) => setDraft({ ...draft, grace: event.target.value })}
          />
        </Field>
      </div>
      {save.isError && <ErrorAlert error={explainError(save.error)} prefix="The setting was not saved" />}
      <div className="form-actions">
        <Button type="submit" variant="primary" pending={save.isPending} pendingLabel="Saving…">
          Save tag settings
        </Button>
        {tag && <Button onClick={onCancel}>Cancel</Button>}
      </div>
    </form>
  );
}
