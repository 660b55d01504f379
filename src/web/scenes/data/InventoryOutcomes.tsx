import { Link } from 'react-router';
import type { InventoryImportResultT } from '../../api/types.ts';
import { Badge, EmptyState, type Tone } from '../../components/ui.tsx';
import { Stats } from './Stats.tsx';

type Outcome = NonNullable<InventoryImportResultT['devices']>[number];

/** Rows drawn at most; a NetBox export can hold thousands of devices. */
export const OUTCOME_ROWS_SHOWN = 500;

/** A matched device that gets nothing new is left as it is; say so rather than "update". */
export function actionOf(outcome: Outcome): { label: string; tone: Tone } {
  if (outcome.action === 'create') return { label: 'create', tone: 'success' };
  if (outcome.action === 'skip') return { label: 'skip', tone: 'neutral' };
  return outcome.ip_added || outcome.filled.length > 0
    ? { label: 'update', tone: 'info' }
    : { label: 'no change', tone: 'neutral' };
}

const FIELD_LABEL: Record<string, string> = {
  display_name: 'name',
  owner: 'owner',
  location: 'location',
  notes: 'notes',
};

export function InventoryCounts({ result, label }: { result: InventoryImportResultT; label: string }) {
  return (
    <Stats
      label={label}
      items={[
        { label: result.dry_run ? 'Would create' : 'Created', value: result.created },
        { label: result.dry_run ? 'Would match' : 'Matched', value: result.matched_existing },
        { label: 'New IPs', value: result.ip_written },
        { label: 'Metadata filled', value: result.metadata_written },
        { label: 'Skipped', value: result.skipped },
      ]}
    />
  );
}

/** What a dry run says would happen to each upstream device. */
export function InventoryOutcomesTable({ outcomes }: { outcomes: Outcome[] }) {
  if (outcomes.length === 0) return <EmptyState title="The preview lists no devices" />;
  const shown = outcomes.slice(0, OUTCOME_ROWS_SHOWN);
  return (
    <>
      <p className="table-note">
        {outcomes.length > shown.length
          ? `The first ${shown.length} of ${outcomes.length.toLocaleString()} devices`
          : `${outcomes.length} ${outcomes.length === 1 ? 'device' : 'devices'}`}{' '}
        in the payload. Only blank fields are filled; curated values are kept.
      </p>
      <div className="table-wrap">
        <table className="outcomes-table" aria-label="What happens to each device">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Upstream name</th>
              <th scope="col">Action</th>
              <th scope="col">Roller device</th>
              <th scope="col">IP</th>
              <th scope="col">Fills</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((outcome) => (
              <tr key={outcome.index}>
                <td>{outcome.index}</td>
                <td className="cell-wrap">{outcome.name ?? <span className="muted">(no name)</span>}</td>
                <td>
                  <Badge tone={actionOf(outcome).tone}>{actionOf(outcome).label}</Badge>
                </td>
                <td>
                  {outcome.action === 'skip' ? (
                    <span className="muted">{outcome.reason ?? 'skipped'}</span>
                  ) : outcome.action === 'create' ? (
                    <span className="muted">new device</span>
                  ) : outcome.device_id ? (
                    <>
                      <Link to={`/devices/${outcome.device_id}`}>existing device</Link>
                      {outcome.matched_by && <span className="muted"> (by {outcome.matched_by})</span>}
                    </>
                  ) : (
                    'existing device'
                  )}
                </td>
                <td>
                  {outcome.ip ? (
                    <>
                      <code>{outcome.ip}</code> {outcome.ip_added && <Badge tone="success">new</Badge>}
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {outcome.filled.length > 0 ? (
                    outcome.filled.map((field) => FIELD_LABEL[field] ?? field).join(', ')
                  ) : (
                    <span className="muted">nothing</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
