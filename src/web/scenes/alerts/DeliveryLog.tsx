import { Link, useSearchParams } from 'react-router';
import type { AlertDeliveryT } from '../../api/types.ts';
import {
  Badge,
  Button,
  Card,
  DateTime,
  EmptyState,
  ErrorAlert,
  Field,
  formatDateTime,
  Skeleton,
} from '../../components/ui.tsx';
import { DELIVERY_STATUSES, deliveryTone } from './model.ts';
import { type DeliveryFilters, useChannels, useDeliveries, useRules } from './queries.ts';

const FILTER_PARAMS = { channel: 'channel', status: 'status', rule: 'rule' } as const;

export function deliveryFilters(params: URLSearchParams): DeliveryFilters {
  const status = params.get('status') ?? '';
  const uuid = (value: string | null) => (value && /^[0-9a-f-]{36}$/i.test(value) ? value : '');
  return {
    channel: uuid(params.get('channel')),
    status: (DELIVERY_STATUSES as readonly string[]).includes(status) ? status : '',
    rule: uuid(params.get('rule')),
  };
}

/** The delivery log, newest first: filters in the URL, 25 at a time with "Load more". */
export function DeliveryLog() {
  const [params, setParams] = useSearchParams();
  const filters = deliveryFilters(params);
  const deliveries = useDeliveries(filters);
  const rules = useRules();
  const channels = useChannels();
  const ruleName = (id: string | undefined) =>
    id ? (rules.data?.rules.find((rule) => rule.id === id)?.name ?? id.slice(0, 8)) : undefined;
  const setFilter = (key: keyof DeliveryFilters, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(FILTER_PARAMS[key], value);
    else next.delete(FILTER_PARAMS[key]);
    next.set('tab', 'log');
    setParams(next);
  };
  const rows = deliveries.data?.pages.flatMap((page) => page.deliveries) ?? [];
  const filtered = filters.channel !== '' || filters.status !== '' || filters.rule !== '';
  return (
    <Card
      title="Delivery log"
      actions={
        <Button onClick={() => deliveries.refetch()} pending={deliveries.isRefetching} pendingLabel="Refreshing…">
          Refresh
        </Button>
      }
    >
      <div className="toolbar">
        <Field label="Channel">
          <select value={filters.channel} onChange={(event) => setFilter('channel', event.target.value)}>
            <option value="">All channels</option>
            {(channels.data?.channels ?? []).map((channel) => (
              <option key={channel.id} value={channel.id}>
                {channel.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Outcome">
          <select value={filters.status} onChange={(event) => setFilter('status', event.target.value)}>
            <option value="">All outcomes</option>
            {DELIVERY_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Rule">
          <select value={filters.rule} onChange={(event) => setFilter('rule', event.target.value)}>
            <option value="">All rules</option>
            {(rules.data?.rules ?? []).map((rule) => (
              <option key={rule.id} value={rule.id}>
                {rule.name}
              </option>
            ))}
          </select>
        </Field>
        {filtered && (
          <Link className="button button-default" to="?tab=log">
            Clear filters
          </Link>
        )}
      </div>
      {deliveries.isPending ? (
        <Skeleton lines={5} />
      ) : deliveries.isError && rows.length === 0 ? (
        <>
          <ErrorAlert error={deliveries.error} prefix="The delivery log could not be loaded" />
          <Button onClick={() => deliveries.refetch()}>Try again</Button>
        </>
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? 'No deliveries match these filters' : 'No deliveries yet'}>
          <p>Every message to a channel, including tests, is listed here with its outcome.</p>
        </EmptyState>
      ) : (
        <>
          <p className="muted small" aria-live="polite">
            Newest first · Showing {rows.length} deliver{rows.length === 1 ? 'y' : 'ies'}
          </p>
          <div className="table-wrap">
            <table aria-label="Alert deliveries" className="compact-table">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Message</th>
                  <th>Rule</th>
                  <th>Channel</th>
                  <th>Outcome</th>
                  <th>Attempts</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((delivery) => (
                  <DeliveryRow key={delivery.id} delivery={delivery} ruleName={ruleName(delivery.rule_id)} />
                ))}
              </tbody>
            </table>
          </div>
          {deliveries.isFetchNextPageError && (
            <ErrorAlert error={deliveries.error} prefix="More deliveries could not be loaded" />
          )}
          {deliveries.hasNextPage ? (
            <Button
              onClick={() => deliveries.fetchNextPage()}
              pending={deliveries.isFetchingNextPage}
              pendingLabel="Loading…"
            >
              Load more
            </Button>
          ) : (
            <p className="muted small">All deliveries loaded.</p>
          )}
        </>
      )}
    </Card>
  );
}

function DeliveryRow({ delivery, ruleName }: { delivery: AlertDeliveryT; ruleName: string | undefined }) {
  const reason =
    delivery.last_error ??
    (delivery.status === 'retrying' || delivery.status === 'held' || delivery.status === 'collecting'
      ? delivery.next_attempt_at && `next attempt ${formatDateTime(delivery.next_attempt_at)}`
      : undefined);
  return (
    <tr>
      <td>
        <DateTime value={delivery.created_at} />
      </td>
      <td className="break">
        {delivery.device_id ? <Link to={`/devices/${delivery.device_id}`}>{delivery.title}</Link> : delivery.title}
        {delivery.kind !== 'alert' && <Badge>{delivery.kind}</Badge>}
      </td>
      <td>{ruleName ?? <span className="muted">{delivery.kind === 'test' ? 'test' : '—'}</span>}</td>
      <td>{delivery.channel_name ?? delivery.channel_id.slice(0, 8)}</td>
      <td>
        <Badge tone={deliveryTone(delivery.status)}>{delivery.status}</Badge>
      </td>
      <td>
        {delivery.attempts}/{delivery.max_attempts}
      </td>
      <td className="break small">
        {reason ?? <span className="muted">—</span>}
        {delivery.attempt_log.length > 1 && (
          <details className="evidence">
            <summary>Every attempt</summary>
            <ol className="plain-list">
              {delivery.attempt_log.map((attempt) => (
                <li key={attempt.attempt}>
                  #{attempt.attempt} <DateTime value={attempt.attempted_at} />: {attempt.outcome}
                  {attempt.error ? ` (${attempt.error})` : ''}
                </li>
              ))}
            </ol>
          </details>
        )}
      </td>
    </tr>
  );
}
