import type { SnapshotImportResultT } from '../../api/types.ts';
import { Alert } from '../../components/ui.tsx';
import { Stats } from './Stats.tsx';
import type { SnapshotProblem, SnapshotRowInfo } from './snapshot-file.ts';

/** What a successful snapshot import did. */
export function SnapshotImportSummary({ result, fileName }: { result: SnapshotImportResultT; fileName: string }) {
  const total = result.created + result.updated + result.unchanged;
  return (
    <div className="import-result">
      <Alert tone="success">
        Imported {fileName}: {total} {total === 1 ? 'device' : 'devices'} in the file.
        {result.created + result.updated === 0 && ' Nothing changed: every device already matched the file.'}
      </Alert>
      <Stats
        label="Snapshot import result"
        items={[
          { label: 'Created', value: result.created },
          { label: 'Updated', value: result.updated },
          { label: 'Unchanged', value: result.unchanged },
        ]}
      />
    </div>
  );
}

/**
 * Every problem of a refused snapshot, one table row each: the row (counted from 0, as the server's
 * messages do), the line of the file it starts on, the device it is, the field and the message.
 */
export function SnapshotProblemsTable({ problems, rows }: { problems: SnapshotProblem[]; rows?: SnapshotRowInfo[] }) {
  const rowCount = new Set(problems.map((problem) => problem.index).filter((index) => index !== undefined)).size;
  return (
    <>
      <p className="table-note">
        {problems.length} {problems.length === 1 ? 'problem' : 'problems'}
        {rowCount > 0 && ` in ${rowCount} ${rowCount === 1 ? 'row' : 'rows'}`}. Rows are counted from 0 in the file's
        device list.
      </p>
      <div className="table-wrap">
        <table className="problems-table" aria-label="Problems in the file">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Line</th>
              <th scope="col">Device</th>
              <th scope="col">Field</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((problem, position) => {
              const row = problem.index === undefined ? undefined : rows?.[problem.index];
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
                <tr key={position}>
                  <td>{problem.index ?? <span className="muted">document</span>}</td>
                  <td>{row?.line ?? '—'}</td>
                  <td className="cell-wrap">{row ? (row.name ?? row.id ?? '—') : '—'}</td>
                  <td>
                    <code>{problem.path || '(whole)'}</code>
                  </td>
                  <td className="cell-wrap">{problem.reason}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
