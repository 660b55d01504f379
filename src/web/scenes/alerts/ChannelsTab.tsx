import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { AlertChannelT, AlertChannelTestResultT } from '../../api/types.ts';
import { AdminOnly } from '../../app/Shell.tsx';
import { Alert, Badge, Button, Card, ConfirmDialog, EmptyState, ErrorAlert, Skeleton } from '../../components/ui.tsx';
import { ChannelForm } from './ChannelForm.tsx';
import {
  type ChannelType,
  channelDraft,
  channelTarget,
  channelTypeLabel,
  deliveryTone,
  formatDuration,
  newChannel,
  quietHoursText,
} from './model.ts';
import { explainError } from './parts.tsx';
import { alertKeys, useChannels } from './queries.ts';

type Editing = { mode: 'new'; type: ChannelType } | { mode: 'edit'; channel: AlertChannelT } | undefined;

/** Webhook, ntfy and e-mail channels with a Test button each; Prometheus alerts from gauges instead. */
export function ChannelsTab() {
  const channels = useChannels();
  const client = useQueryClient();
  const [editing, setEditing] = useState<Editing>();
  const [deleting, setDeleting] = useState<AlertChannelT>();
  const [notice, setNotice] = useState<string>();
  const refresh = () => client.invalidateQueries({ queryKey: alertKeys.channels });
  const remove = useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/alert-channels/${encodeURIComponent(id)}`),
    onSuccess: async (_answer, id) => {
      setNotice('Channel deleted.');
      if (editing?.mode === 'edit' && editing.channel.id === id) setEditing(undefined);
      // Rules forget a deleted channel and its deliveries go with it.
      await Promise.all([refresh(), client.invalidateQueries({ queryKey: alertKeys.all })]);
    },
    onSettled: () => setDeleting(undefined),
  });
  const toggle = useMutation({
    mutationFn: (channel: AlertChannelT) =>
      api.patch<AlertChannelT>(`/api/v1/alert-channels/${encodeURIComponent(channel.id)}`, {
        enabled: !channel.enabled,
      }),
    onSuccess: async (channel) => {
      setNotice(`Channel ${channel.name} ${channel.enabled ? 'enabled' : 'disabled'}.`);
      await refresh();
    },
  });
  const list = channels.data?.channels ?? [];
  return (
    <>
      <AdminOnly>
        <div className="toolbar">
          <Button
            variant="primary"
            onClick={() => {
              setNotice(undefined);
              setEditing({ mode: 'new', type: 'webhook' });
            }}
            disabled={editing?.mode === 'new'}
          >
            New channel
          </Button>
        </div>
      </AdminOnly>
      {notice && <Alert tone="success">{notice}</Alert>}
      {editing && (
        <AdminOnly>
          <ChannelForm
            key={editing.mode === 'edit' ? editing.channel.id : 'new'}
            initial={editing.mode === 'edit' ? channelDraft(editing.channel) : newChannel(editing.type)}
            channel={editing.mode === 'edit' ? editing.channel : undefined}
            onDone={(saved) => {
              if (saved) setNotice(editing.mode === 'edit' ? 'Channel saved.' : 'Channel created.');
              setEditing(undefined);
            }}
          />
        </AdminOnly>
      )}
      <Card title="Channels">
        {channels.isPending ? (
          <Skeleton lines={4} />
        ) : channels.isError ? (
          <>
            <ErrorAlert error={channels.error} prefix="Channels could not be loaded" />
            <Button onClick={() => channels.refetch()}>Try again</Button>
          </>
        ) : list.length === 0 ? (
          <EmptyState title="No channels">
            <p>Channels carry alerts to a webhook, an ntfy topic or an e-mail address.</p>
          </EmptyState>
        ) : (
          <ul className="channel-list" aria-label="Alert channels">
            {list.map((channel) => (
              <ChannelItem
                key={channel.id}
                channel={channel}
                onEdit={() => {
                  setNotice(undefined);
                  setEditing({ mode: 'edit', channel });
                }}
                onToggle={() => toggle.mutate(channel)}
                toggling={toggle.isPending}
                onDelete={() => setDeleting(channel)}
              />
            ))}
          </ul>
        )}
        {toggle.isError && <ErrorAlert error={explainError(toggle.error)} prefix="The channel was not changed" />}
        {remove.isError && <ErrorAlert error={remove.error} prefix="The channel was not deleted" />}
      </Card>
      <Card title="Prometheus">
        <p>
          Prometheus needs no channel: core's <code>/metrics</code> carries <code>roller_devices{'{state}'}</code>{' '}
          (devices per presence state) and <code>roller_device_up</code> (1 or 0 for each watched device), so alerting
          rules can live in Prometheus. Put a device on the watch list on its page.
        </p>
        <pre className="evidence-json">{'expr: roller_device_up == 0\nfor: 10m'}</pre>
      </Card>
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete this channel?"
        confirmLabel="Delete channel"
        danger
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        <p>
          <strong>{deleting?.name}</strong> receives nothing more; its delivery log is deleted and rules stop sending to
          it.
        </p>
      </ConfirmDialog>
    </>
  );
}

function ChannelItem({
  channel,
  onEdit,
  onToggle,
  toggling,
  onDelete,
}: {
  channel: AlertChannelT;
  onEdit: () => void;
  onToggle: () => void;
  toggling: boolean;
  onDelete: () => void;
}) {
  const client = useQueryClient();
  const test = useMutation({
    mutationFn: () =>
      api.post<AlertChannelTestResultT>(`/api/v1/alert-channels/${encodeURIComponent(channel.id)}/test`, {}),
    onSettled: () => client.invalidateQueries({ queryKey: alertKeys.deliveries }),
  });
  const delivery = test.data?.delivery;
  const attempt = delivery?.attempt_log.at(-1);
  return (
    <li className="channel-item">
      <div className="channel-head">
        <strong>{channel.name}</strong> <Badge tone="info">{channelTypeLabel(channel.type)}</Badge>{' '}
        <Badge tone={channel.enabled ? 'success' : 'neutral'}>{channel.enabled ? 'enabled' : 'disabled'}</Badge>
      </div>
      <p className="mono small break">{channelTarget(channel)}</p>
      <p className="muted small">
        <Link to={`?tab=log&channel=${channel.id}`}>Deliveries</Link> ·{' '}
        {channel.has_secret ? 'Secret: set (never shown)' : 'Secret: none'}
        {channel.digest_interval_s
          ? ` · digest every ${formatDuration(channel.digest_interval_s)}`
          : ' · sends each alert at once'}
        {channel.quiet_hours ? ` · quiet hours ${quietHoursText(channel.quiet_hours)}` : ''}
      </p>
      <AdminOnly>
        <div className="row-actions">
          <Button
            onClick={() => test.mutate()}
            pending={test.isPending}
            pendingLabel="Sending…"
            aria-label={`Test channel ${channel.name}`}
          >
            Test
          </Button>
          <Button onClick={onEdit} aria-label={`Edit channel ${channel.name}`}>
            Edit
          </Button>
          <Button
            onClick={onToggle}
            disabled={toggling}
            aria-label={`${channel.enabled ? 'Disable' : 'Enable'} channel ${channel.name}`}
          >
            {channel.enabled ? 'Disable' : 'Enable'}
          </Button>
          <Button variant="danger" onClick={onDelete} aria-label={`Delete channel ${channel.name}`}>
            Delete
          </Button>
        </div>
      </AdminOnly>
      {test.isError && <ErrorAlert error={explainError(test.error)} prefix="The test could not be sent" />}
      {delivery && (
        <div className="test-result" role="status" aria-label={`Test result of ${channel.name}`}>
          Test message: <Badge tone={deliveryTone(delivery.status)}>{delivery.status}</Badge>
          {attempt ? ` in ${attempt.duration_ms} ms` : ''}
          {delivery.last_error && <span className="break"> — {delivery.last_error}</span>}
        </div>
      )}
    </li>
  );
}
