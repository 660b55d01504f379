import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { TagTaxonomyT } from '../../api/types.ts';
import { Alert, Button, ErrorAlert, Field } from '../../components/ui.tsx';
import { addTagToDevices, DEVICES_KEY, tagLabel } from './queries.ts';
import type { Selection } from './selection.ts';

/** Admin only: adds one manual tag to every selected device (PUT …/tags for each). */
export function BulkTagBar({ selection, taxonomy }: { selection: Selection; taxonomy: TagTaxonomyT | undefined }) {
  const client = useQueryClient();
  const [tag, setTag] = useState('');
  const [progress, setProgress] = useState(0);
  const count = selection.ids.length;
  const bulk = useMutation({
    mutationFn: (input: { ids: string[]; tag: string }) => {
      setProgress(0);
      return addTagToDevices(input.ids, input.tag, setProgress);
    },
    onSuccess: (result) => {
      if (result.failed.length === 0) selection.clear();
    },
    onSettled: () => client.invalidateQueries({ queryKey: DEVICES_KEY }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (tag && count > 0) bulk.mutate({ ids: selection.ids, tag });
  };
  const result = bulk.data;
  const label = tagLabel(taxonomy, bulk.variables?.tag ?? tag);
  return (
    <form className="bulk-bar toolbar" onSubmit={submit} aria-label="Bulk tagging">
      <span className="bulk-count" aria-live="polite">
        {count === 0 ? 'Select devices to tag several at once.' : `${count} selected`}
      </span>
      <Field label="Manual tag">
        <select value={tag} onChange={(event) => setTag(event.target.value)} disabled={count === 0}>
          <option value="">Choose a tag…</option>
          {(taxonomy ?? []).map((entry) => (
            <option key={entry.tag} value={entry.tag} title={entry.description}>
              {entry.label}
            </option>
          ))}
        </select>
      </Field>
      <Button
        type="submit"
        variant="primary"
        disabled={!tag || count === 0}
        pending={bulk.isPending}
        pendingLabel={`Tagging ${progress}/${bulk.variables?.ids.length ?? count}…`}
      >
        {count > 0 ? `Add tag to ${count} device${count === 1 ? '' : 's'}` : 'Add tag'}
      </Button>
      {count > 0 && (
        <Button onClick={selection.clear} disabled={bulk.isPending}>
          Clear selection
        </Button>
      )}
      {result && (
        <div className="bulk-result">
          {result.added.length + result.unchanged.length > 0 && (
            <Alert tone="success">
              Tag {label} added to {result.added.length} device{result.added.length === 1 ? '' : 's'}
              {result.unchanged.length > 0 ? `; ${result.unchanged.length} already had it` : ''}.
            </Alert>
          )}
          {result.failed.length > 0 && (
            <ErrorAlert
              error={result.failed[0]?.error}
              prefix={`${result.failed.length} device${result.failed.length === 1 ? '' : 's'} could not be tagged (still selected)`}
            />
          )}
        </div>
      )}
      {bulk.isError && <ErrorAlert error={bulk.error} prefix="Bulk tagging failed" />}
    </form>
  );
}
