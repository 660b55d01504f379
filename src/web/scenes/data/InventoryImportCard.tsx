import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, useId, useRef, useState } from 'react';
import { request } from '../../api/client.ts';
import type { InventoryImportResultT } from '../../api/types.ts';
import { Alert, Button, Card, ErrorAlert, Field } from '../../components/ui.tsx';
import { InventoryCounts, InventoryOutcomesTable } from './InventoryOutcomes.tsx';
import { invalidateDeviceData } from './invalidate.ts';
import { checkPayload, type InventorySource, importPath, SOURCES } from './inventory-payload.ts';
import { formatBytes } from './snapshot-file.ts';

interface Submission {
  source: InventorySource;
  body: string;
  /** The payload revision this request was made for (any edit bumps it). */
  revision: number;
}

const send = (submission: Submission, dryRun: boolean) =>
  request<InventoryImportResultT>('POST', importPath(submission.source, dryRun), {
    body: submission.body,
    contentType: 'application/json',
  });

/**
 * NetBox / Nautobot import (admins only): Preview runs the import as a dry run and lists what would
 * happen per device; Import becomes available only after a successful preview of exactly the payload
 * and source on screen, and any change to either takes it away again.
 */
export function InventoryImportCard() {
  const client = useQueryClient();
  const ids = { hint: useId(), gate: useId() };
  const [source, setSource] = useState<InventorySource>('netbox');
  const [text, setText] = useState('');
  const [file, setFile] = useState<{ name: string; size: number } | undefined>();
  const [reading, setReading] = useState(false);
  const [revision, setRevision] = useState(0);
  const [localError, setLocalError] = useState<string | undefined>();
  const [inputKey, setInputKey] = useState(0);
  const readAttempt = useRef(0);

  const preview = useMutation({ mutationFn: (submission: Submission) => send(submission, true) });
  const run = useMutation({
    mutationFn: (submission: Submission) => send(submission, false),
    onSuccess: () => invalidateDeviceData(client),
  });

  const changed = () => {
    setRevision((value) => value + 1);
    setLocalError(undefined);
  };
  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const picked = event.target.files?.[0];
    const attempt = ++readAttempt.current;
    changed();
    if (!picked) return;
    setReading(true);
    try {
      const content = await picked.text();
      if (attempt !== readAttempt.current) return;
      setText(content);
      setFile({ name: picked.name, size: picked.size });
      changed();
    } catch (error) {
      if (attempt === readAttempt.current) setLocalError(`The file could not be read (${(error as Error).message}).`);
    } finally {
      if (attempt === readAttempt.current) setReading(false);
    }
  };
  const dropFile = () => {
    readAttempt.current++;
    setReading(false);
    setFile(undefined);
    setText('');
    setInputKey((key) => key + 1);
    changed();
  };

  const submit = (dryRun: boolean) => {
    const checked = checkPayload(text);
    if (!checked.ok) {
      setLocalError(checked.message);
      return;
    }
    setLocalError(undefined);
    const submission = { source, body: checked.body, revision };
    if (dryRun) {
      run.reset();
      preview.mutate(submission);
    } else {
      run.mutate(submission);
    }
  };

  const previewCurrent = preview.isSuccess && preview.variables.revision === revision;
  const previewStale = preview.isSuccess && !previewCurrent;
  const imported = run.isSuccess && run.variables.revision === revision;
  const canImport = previewCurrent && !imported && !run.isPending;
  const label = SOURCES.find((entry) => entry.value === source)?.label ?? source;
  const gateText = imported
    ? 'This payload has been imported. Change it, or preview again to import it once more.'
    : previewCurrent
      ? `Writes what the preview shows to Roller (fill blanks only).`
      : previewStale
        ? 'The payload or source changed since the preview: preview again before importing.'
        : 'Preview this payload first; Import becomes available after a successful preview.';

  return (
    <Card title="Import from NetBox or Nautobot">
      <p className="muted">
        Fills blanks only: devices are matched by IP, then by name; new ones are created; a name, owner, location or
        notes already set in Roller is never overwritten.
      </p>
      <fieldset className="choice">
        <legend>Source</legend>
        {SOURCES.map((entry) => (
          <label key={entry.value}>
            <input
              type="radio"
              name="inventory-source"
              value={entry.value}
              checked={source === entry.value}
              onChange={() => {
                setSource(entry.value);
                changed();
              }}
            />
            {entry.label}
          </label>
        ))}
      </fieldset>
      <p id={ids.hint} className="field-hint">
        {SOURCES.find((entry) => entry.value === source)?.hint} At most 16 MiB.
      </p>
      {file ? (
        <div className="toolbar">
          <p className="file-summary-line">
            Using <strong>{file.name}</strong> ({formatBytes(file.size)}).
          </p>
          <Button onClick={dropFile}>Paste instead</Button>
        </div>
      ) : (
        <Field label={`${label} JSON`}>
          <textarea
            className="payload-input"
            aria-describedby={ids.hint}
            spellCheck={false}
            value={text}
            placeholder='{"count": 2, "next": null, "previous": null, "results": [ … ]}'
            onChange={(event) => {
              setText(event.target.value);
              changed();
            }}
          />
        </Field>
      )}
      <Field label="Or upload a JSON file">
        <input key={inputKey} type="file" accept=".json,application/json" onChange={chooseFile} />
      </Field>
      {reading && (
        <p className="muted" role="status">
          Reading the file…
        </p>
      )}
      {localError && <Alert tone="warning">{localError}</Alert>}

      <div className="card-actions">
        <Button
          onClick={() => submit(true)}
          pending={preview.isPending}
          pendingLabel="Previewing…"
          disabled={reading || text.trim() === '' || run.isPending}
        >
          Preview
        </Button>
        <Button
          variant="primary"
          onClick={() => submit(false)}
          pending={run.isPending}
          pendingLabel="Importing…"
          disabled={!canImport}
          aria-describedby={ids.gate}
        >
          Import
        </Button>
      </div>
      <p id={ids.gate} className="field-hint">
        {gateText}
      </p>

      {preview.isError && <ErrorAlert error={preview.error} prefix="The preview failed" />}
      {run.isError && <ErrorAlert error={run.error} prefix="The import failed; nothing was written" />}
      {imported && (
        <section aria-label="Import result" className="import-result">
          <Alert tone="success">
            Imported from {SOURCES.find((entry) => entry.value === run.variables.source)?.label}.
          </Alert>
          <InventoryCounts result={run.data} label="Import result" />
        </section>
      )}
      {previewCurrent && !imported && (
        <section aria-label="Preview" className="import-result">
          <h3>Preview: nothing has been written yet</h3>
          <InventoryCounts result={preview.data} label="Preview counts" />
          <InventoryOutcomesTable outcomes={preview.data.devices ?? []} />
        </section>
      )}
      {previewStale && !imported && <Alert tone="info">The payload changed: preview it again.</Alert>}
    </Card>
  );
}
