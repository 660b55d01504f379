import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { AlertRuleT } from '../../api/types.ts';
import { AdminOnly } from '../../app/Shell.tsx';
import { Alert, Badge, Button, Card, ConfirmDialog, EmptyState, ErrorAlert, Skeleton } from '../../components/ui.tsx';
import { eventLabel, filtersText, formatDuration, NEW_RULE, quietHoursText, ruleDraft, severityTone } from './model.ts';
import { explainError } from './parts.tsx';
import { alertKeys, useChannels, useRules } from './queries.ts';
import { RuleForm } from './RuleForm.tsx';

type Editing = { mode: 'new' } | { mode: 'edit'; rule: AlertRuleT } | undefined;

/** The rules: what they fire on, for which devices, where they send; admins create, edit, switch and delete. */
export function RulesTab() {
  const rules = useRules();
  const channels = useChannels();
  const client = useQueryClient();
  const [editing, setEditing] = useState<Editing>();
  const [deleting, setDeleting] = useState<AlertRuleT>();
  const [notice, setNotice] = useState<string>();
  const refresh = () => client.invalidateQueries({ queryKey: alertKeys.rules });
  const remove = useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/alert-rules/${encodeURIComponent(id)}`),
    onSuccess: async (_answer, id) => {
      setNotice('Rule deleted.');
      if (editing?.mode === 'edit' && editing.rule.id === id) setEditing(undefined);
      await refresh();
    },
    onSettled: () => setDeleting(undefined),
  });
  const toggle = useMutation({
    mutationFn: (rule: AlertRuleT) =>
      api.patch<AlertRuleT>(`/api/v1/alert-rules/${encodeURIComponent(rule.id)}`, { enabled: !rule.enabled }),
    onSuccess: async (rule) => {
      setNotice(`Rule ${rule.name} ${rule.enabled ? 'enabled' : 'disabled'}.`);
      await refresh();
    },
  });
  const channelList = channels.data?.channels ?? [];
  const channelName = (id: string) => channelList.find((channel) => channel.id === id)?.name ?? id.slice(0, 8);
  const list = rules.data?.rules ?? [];
  return (
    <>
      <AdminOnly>
        <div className="toolbar">
          <Button
            variant="primary"
            onClick={() => {
              setNotice(undefined);
              setEditing({ mode: 'new' });
            }}
            disabled={editing?.mode === 'new'}
          >
            New rule
          </Button>
        </div>
      </AdminOnly>
      {notice && <Alert tone="success">{notice}</Alert>}
      {editing && (
        <AdminOnly>
          <RuleForm
            key={editing.mode === 'edit' ? editing.rule.id : 'new'}
            initial={editing.mode === 'edit' ? ruleDraft(editing.rule) : NEW_RULE}
            ruleId={editing.mode === 'edit' ? editing.rule.id : undefined}
            channels={channelList}
            onDone={(saved) => {
              if (saved) setNotice(editing.mode === 'edit' ? 'Rule saved.' : 'Rule created.');
              setEditing(undefined);
            }}
          />
        </AdminOnly>
      )}
      <Card title="Rules">
        {rules.isPending ? (
          <Skeleton lines={4} />
        ) : rules.isError ? (
          <>
            <ErrorAlert error={rules.error} prefix="Rules could not be loaded" />
            <Button onClick={() => rules.refetch()}>Try again</Button>
          </>
        ) : list.length === 0 ? (
          <EmptyState title="No alert rules">
            <p>
              Without rules nothing raises an alert. A rule names an event, which devices it cares about and where to
              send.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table aria-label="Alert rules">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Event</th>
                  <th className="hide-narrow">Filters</th>
                  <th>Channels</th>
                  <th className="hide-narrow">Details</th>
                  <th>State</th>
                  <AdminOnly>
                    <th>Actions</th>
                  </AdminOnly>
                </tr>
              </thead>
              <tbody>
                {list.map((rule) => (
                  <tr key={rule.id}>
                    <td>
                      {rule.name} <Badge tone={severityTone(rule.severity)}>{rule.severity}</Badge>
                      <Link className="block small" to={`?tab=log&rule=${rule.id}`}>
                        Deliveries
                      </Link>
                    </td>
                    <td>{eventLabel(rule.event)}</td>
                    <td className="hide-narrow">{filtersText(rule)}</td>
                    <td>
                      {rule.channel_ids.length === 0 ? (
                        <span className="muted">none (recorded only)</span>
                      ) : (
                        rule.channel_ids.map(channelName).join(', ')
                      )}
                    </td>
                    <td className="hide-narrow small">
                      {rule.event === 'new_device' &&
                        `delay ${formatDuration(rule.new_device_delay_s)} · randomised MACs: ${rule.randomized_mac_policy}`}
                      {(rule.event === 'device_offline' || rule.event === 'device_online') &&
                        (rule.flap_threshold === 0
                          ? 'no flap damping'
                          : `flapping: >${rule.flap_threshold} in ${formatDuration(rule.flap_window_s)}`)}
                      {rule.quiet_hours && <span className="block">quiet: {quietHoursText(rule.quiet_hours)}</span>}
                    </td>
                    <td>
                      <Badge tone={rule.enabled ? 'success' : 'neutral'}>{rule.enabled ? 'enabled' : 'disabled'}</Badge>
                    </td>
                    <AdminOnly>
                      <td>
                        <div className="row-actions">
                          <Button
                            onClick={() => {
                              setNotice(undefined);
                              setEditing({ mode: 'edit', rule });
                            }}
                            aria-label={`Edit rule ${rule.name}`}
                          >
                            Edit
                          </Button>
                          <Button
                            onClick={() => toggle.mutate(rule)}
                            disabled={toggle.isPending}
                            aria-label={`${rule.enabled ? 'Disable' : 'Enable'} rule ${rule.name}`}
                          >
                            {rule.enabled ? 'Disable' : 'Enable'}
                          </Button>
                          <Button
                            variant="danger"
                            onClick={() => setDeleting(rule)}
                            aria-label={`Delete rule ${rule.name}`}
                          >
                            Delete
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
        {toggle.isError && <ErrorAlert error={explainError(toggle.error)} prefix="The rule was not changed" />}
        {remove.isError && <ErrorAlert error={remove.error} prefix="The rule was not deleted" />}
      </Card>
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete this rule?"
        confirmLabel="Delete rule"
        danger
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        <p>
          <strong>{deleting?.name}</strong> raises no more alerts, and the alerts it recorded are deleted with it.
        </p>
      </ConfirmDialog>
    </>
  );
}
