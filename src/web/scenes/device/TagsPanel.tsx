import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { DeviceTagsT, TagTaxonomyT } from '../../api/types.ts';
import { useIsAdmin } from '../../app/session.tsx';
import { Alert, Badge, Button, Card, EmptyState, ErrorAlert, Skeleton } from '../../components/ui.tsx';
import { DEVICES_KEY, tagLabel, useTaxonomy } from '../devices/queries.ts';
import { tagsKey } from './keys.ts';

/** Effective tags (manual first, each once), manual ones editable by admins, auto ones with evidence. */
export function TagsPanel({ id }: { id: string }) {
  const tags = useQuery({
    queryKey: tagsKey(id),
    queryFn: ({ signal }) => api.get<DeviceTagsT>(`/api/v1/devices/${id}/tags`, signal),
  });
  const taxonomy = useTaxonomy();
  const isAdmin = useIsAdmin();
  // Kept here: the editor remounts (it is keyed by the saved list) right after a save.
  const [note, setNote] = useState('');
  return (
    <Card
      title="Tags"
      actions={
        <Button onClick={() => tags.refetch()} pending={tags.isFetching} pendingLabel="Refreshing…">
          Refresh
        </Button>
      }
    >
      {tags.isPending ? (
        <Skeleton lines={2} />
      ) : tags.isError ? (
        <ErrorAlert error={tags.error} prefix="Tags could not be loaded" />
      ) : (
        <>
          <EffectiveTags rows={tags.data} taxonomy={taxonomy.data} />
          {isAdmin && taxonomy.data && (
            <ManualTagEditor
              // Starts again from the server's list whenever that list changes.
              key={manualTags(tags.data).join(',')}
              id={id}
              rows={tags.data}
              taxonomy={taxonomy.data}
              onSaved={setNote}
            />
          )}
          {note && <Alert tone="success">{note}</Alert>}
          <AutoEvidence rows={tags.data} taxonomy={taxonomy.data} />
        </>
      )}
    </Card>
  );
}

export function manualTags(rows: DeviceTagsT): string[] {
  return rows
    .filter((row) => row.source === 'manual')
    .map((row) => row.tag)
    .sort();
}

function EffectiveTags({ rows, taxonomy }: { rows: DeviceTagsT; taxonomy: TagTaxonomyT | undefined }) {
  const seen = new Set<string>();
  const effective = rows.filter((row) => (seen.has(row.tag) ? false : seen.add(row.tag)));
  if (effective.length === 0) {
    return (
      <EmptyState title="No tags yet">
        <p>Discovery adds tags it can infer; admins can add manual ones.</p>
      </EmptyState>
    );
  }
  return (
    <ul className="badge-row plain-list" aria-label="Effective tags">
      {effective.map((row) => (
        <li key={row.tag}>
          <Badge
            tone={row.source === 'manual' ? 'success' : 'info'}
            title={row.source === 'manual' ? 'Set by hand' : `Automatic, confidence ${row.confidence}`}
          >
            {tagLabel(taxonomy, row.tag)} · {row.source}
          </Badge>
        </li>
      ))}
    </ul>
  );
}

function ManualTagEditor({
  id,
  rows,
  taxonomy,
  onSaved,
}: {
  id: string;
  rows: DeviceTagsT;
  taxonomy: TagTaxonomyT;
  onSaved: (note: string) => void;
}) {
  const client = useQueryClient();
  const initial = manualTags(rows);
  const [chosen, setChosen] = useState<string[]>(initial);
  const dirty = chosen.join(',') !== initial.join(',');
  const save = useMutation({
    mutationFn: (tags: string[]) => api.put<DeviceTagsT>(`/api/v1/devices/${id}/tags`, { tags }),
    onSuccess: (_answer, tags) => {
      onSaved(tags.length === 0 ? 'Manual tags cleared.' : 'Manual tags updated.');
      return client.invalidateQueries({ queryKey: DEVICES_KEY });
    },
  });
  const toggle = (tag: string) => {
    onSaved('');
    setChosen((current) => (current.includes(tag) ? current.filter((t) => t !== tag) : [...current, tag].sort()));
  };
  return (
    <fieldset className="tag-editor">
      <legend>Manual tags</legend>
      <div className="toggle-group">
        {taxonomy.map((entry) => (
          <button
            key={entry.tag}
            type="button"
            className={`toggle-pill ${chosen.includes(entry.tag) ? 'toggle-pill-on' : ''}`}
            aria-pressed={chosen.includes(entry.tag)}
            title={entry.description}
            onClick={() => toggle(entry.tag)}
          >
            {entry.label}
          </button>
        ))}
      </div>
      <div className="form-actions">
        <Button
          variant="primary"
          disabled={!dirty}
          pending={save.isPending}
          pendingLabel="Saving…"
          onClick={() => save.mutate(chosen)}
        >
          Save tags
        </Button>
        <Button disabled={chosen.length === 0 || save.isPending} onClick={() => setChosen([])}>
          Clear manual tags
        </Button>
      </div>
      {dirty && <p className="muted small">Unsaved changes: save to apply them.</p>}
      {save.isError && <ErrorAlert error={save.error} prefix="Tags were not saved" />}
    </fieldset>
  );
}

function AutoEvidence({ rows, taxonomy }: { rows: DeviceTagsT; taxonomy: TagTaxonomyT | undefined }) {
  const auto = rows.filter((row) => row.source === 'auto').slice(0, 12);
  if (auto.length === 0) return null;
  return (
    <details className="evidence">
      <summary>Auto tag evidence ({auto.length})</summary>
      <ul className="plain-list">
        {auto.map((row) => (
          <li key={row.tag}>
            <strong>{tagLabel(taxonomy, row.tag)}</strong>{' '}
            <span className="muted small">Confidence {row.confidence}</span>
            {row.evidence && <pre className="mono evidence-json">{JSON.stringify(row.evidence, null, 2)}</pre>}
          </li>
        ))}
      </ul>
    </details>
  );
}
