import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, useId, useRef, useState } from 'react';
import { ApiError, request } from '../../api/client.ts';
import type { SnapshotImportResultT } from '../../api/types.ts';
import { Alert, Button, Card, ConfirmDialog, ErrorAlert, Field, formatDateTime } from '../../components/ui.tsx';
import { invalidateDeviceData } from './invalidate.ts';
import { SnapshotImportSummary, SnapshotProblemsTable } from './SnapshotResult.tsx';
import {
  formatBytes,
  inspectSnapshotText,
  isCsvFile,
  SNAPSHOT_MAX_BYTES,
  type SnapshotFileInfo,
  snapshotProblemsOf,
} from './snapshot-file.ts';

type Picked =
  | { state: 'reading'; file: File }
  | { state: 'refused'; file: File; message: string }
  | { state: 'ready'; file: File; info: Extract<SnapshotFileInfo, { ok: true }> };

/**
 * Snapshot import (admins only). The API has no dry run for snapshots, so the card says what the
 * import will do before anything is written and asks for a confirmation; the server then checks
 * every row and either writes all of them in one transaction or none and lists every problem.
 */
export function SnapshotImportCard() {
  const client = useQueryClient();
  const hintId = useId();
  const [picked, setPicked] = useState<Picked | undefined>();
  const [inputKey, setInputKey] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const reading = useRef(0);
  const upload = useMutation({
    mutationFn: (file: File) =>
      request<SnapshotImportResultT>('POST', '/api/v1/devices/import', { body: file, contentType: 'application/json' }),
    onSuccess: () => invalidateDeviceData(client),
  });

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    upload.reset();
    const attempt = ++reading.current;
    if (!file) {
      setPicked(undefined);
      return;
    }
    if (isCsvFile(file)) {
      setPicked({
        state: 'refused',
        file,
        message:
          'This is a CSV file. The CSV export is for spreadsheets; only the JSON snapshot can be imported. Download the JSON export instead.',
      });
      return;
    }
    if (file.size > SNAPSHOT_MAX_BYTES) {
      setPicked({
        state: 'refused',
        file,
        message: `The file is ${formatBytes(file.size)}; the server accepts at most ${formatBytes(SNAPSHOT_MAX_BYTES)}. Split it into several files (rows are independent).`,
      });
      return;
    }
    setPicked({ state: 'reading', file });
    let info: SnapshotFileInfo;
    try {
      info = inspectSnapshotText(await file.text());
    } catch (error) {
      info = { ok: false, message: `The file could not be read (${(error as Error).message}).` };
    }
    if (attempt !== reading.current) return;
    setPicked(info.ok ? { state: 'ready', file, info } : { state: 'refused', file, message: info.message });
  };

  const clear = () => {
    reading.current++;
    upload.reset();
    setPicked(undefined);
    setInputKey((key) => key + 1);
  };

  const ready = picked?.state === 'ready' ? picked : undefined;
  const count = ready?.info.rows.length ?? 0;
  const problems = upload.error instanceof ApiError ? snapshotProblemsOf(upload.error.details) : [];

  return (
    <Card title="Import a snapshot">
      <p id={hintId} className="muted">
        A JSON snapshot as exported above (or a bare list of devices, or <code>{'{"devices": […]}'}</code>), up to{' '}
        {formatBytes(SNAPSHOT_MAX_BYTES)}. CSV cannot be imported.
      </p>
      <div className="toolbar">
        <Field label="Snapshot file">
          <input
            key={inputKey}
            type="file"
            accept=".json,application/json"
            aria-describedby={hintId}
            onChange={choose}
          />
        </Field>
        {picked && <Button onClick={clear}>Clear</Button>}
      </div>

      {picked?.state === 'reading' && (
        <p className="muted" role="status">
          Reading {picked.file.name}…
        </p>
      )}
      {picked?.state === 'refused' && (
        <Alert tone="warning">
          {picked.file.name}: {picked.message}
        </Alert>
      )}
      {ready && (
        <div className="file-summary">
          <p>
            <strong>{ready.file.name}</strong> ({formatBytes(ready.file.size)}):{' '}
            {count === 1 ? '1 device' : `${count.toLocaleString()} devices`}
            {ready.info.shape === 'document'
              ? `, Roller snapshot version ${String(ready.info.version)}`
              : ready.info.shape === 'array'
                ? ', a bare list of devices (older export format)'
                : ', an older import file'}
            {ready.info.exportedAt && `, exported ${formatDateTime(ready.info.exportedAt)}`}.
          </p>
          <p className="small">What happens when you import:</p>
          <ul className="small what-happens">
            <li>Every row is checked first. If any row is invalid, nothing is written and every problem is listed.</li>
            <li>
              Otherwise all rows are written in one transaction: a device whose id exists is updated (its name, owner,
              location, notes and manual tags are replaced by the file's; IPs and MACs are only added), any other is
              created, with the file's id when it has one.
            </li>
            <li>Importing the same file again changes nothing. There is no undo.</li>
          </ul>
          <Button
            variant="primary"
            onClick={() => setConfirming(true)}
            pending={upload.isPending}
            pendingLabel="Importing…"
          >
            {`Import ${count === 1 ? '1 device' : `${count.toLocaleString()} devices`}`}
          </Button>
        </div>
      )}

      {upload.isPending && (
        <p className="muted" role="status">
          Uploading and checking {upload.variables?.name}…
        </p>
      )}
      {upload.isError && (
        <>
          <ErrorAlert
            error={upload.error}
            prefix={problems.length > 0 ? 'Nothing was imported' : 'The import was refused'}
          />
          {problems.length > 0 && <SnapshotProblemsTable problems={problems} rows={ready?.info.rows} />}
        </>
      )}
      {upload.isSuccess && <SnapshotImportSummary result={upload.data} fileName={upload.variables.name} />}

      <ConfirmDialog
        open={confirming}
        title={`Import ${count === 1 ? '1 device' : `${count.toLocaleString()} devices`}?`}
        confirmLabel="Import now"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          if (ready) upload.mutate(ready.file);
        }}
      >
        <p>
          Devices in <strong>{ready?.file.name}</strong> that already exist are updated to match the file; the others
          are created. If any row is invalid, nothing changes.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
