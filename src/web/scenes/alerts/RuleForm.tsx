import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { AlertChannelT, AlertRuleT } from '../../api/types.ts';
import { Card, Field } from '../../components/ui.tsx';
import { useTaxonomy } from '../devices/queries.ts';
import {
  type AlertEvent,
  EVENTS,
  isDeviceEvent,
  MAC_POLICIES,
  type MacPolicy,
  type RuleDraft,
  type RuleErrors,
  ruleBody,
  ruleErrors,
  SEVERITIES,
  type Severity,
} from './model.ts';
import { FormFooter, PillChoices, QuietHoursFields } from './parts.tsx';
import { alertKeys } from './queries.ts';

/** Create (no `ruleId`) or edit an alert rule. */
export function RuleForm({
  initial,
  ruleId,
  channels,
  onDone,
}: {
  initial: RuleDraft;
  ruleId?: string | undefined;
  channels: readonly AlertChannelT[];
  onDone: (rule?: AlertRuleT) => void;
}) {
  const client = useQueryClient();
  const taxonomy = useTaxonomy();
  const [draft, setDraft] = useState<RuleDraft>(initial);
  const [errors, setErrors] = useState<RuleErrors>({});
  const [submitted, setSubmitted] = useState(false);
  const save = useMutation({
    mutationFn: (body: ReturnType<typeof ruleBody>) =>
      ruleId
        ? api.patch<AlertRuleT>(`/api/v1/alert-rules/${encodeURIComponent(ruleId)}`, body)
        : api.post<AlertRuleT>('/api/v1/alert-rules', body),
    onSuccess: async (rule) => {
      await client.invalidateQueries({ queryKey: alertKeys.rules });
      onDone(rule);
    },
  });
  const update = (change: Partial<RuleDraft>) => {
    const next = { ...draft, ...change };
    setDraft(next);
    if (submitted) setErrors(ruleErrors(next));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const found = ruleErrors(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(ruleBody(draft));
  };
  const title = ruleId ? 'Edit rule' : 'New rule';
  const tagOptions = (taxonomy.data ?? []).map((entry) => ({
    value: entry.tag,
    label: entry.label,
    title: entry.description,
  }));
  // Rules may point at channels that were renamed since; all of them stay choosable.
  const channelOptions = channels.map((channel) => ({
    value: channel.id,
    label: `${channel.name}${channel.enabled ? '' : ' (disabled)'}`,
  }));
  return (
    <Card title={title} className="alert-editor">
      <form onSubmit={submit} noValidate aria-label={title}>
        <div className="toolbar">
          <Field label="Rule name" error={errors.name}>
            <input value={draft.name} maxLength={200} onChange={(event) => update({ name: event.target.value })} />
          </Field>
          <Field label="Event">
            <select value={draft.event} onChange={(event) => update({ event: event.target.value as AlertEvent })}>
              {EVENTS.map((entry) => (
                <option key={entry.value} value={entry.value}>
                  {entry.label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Severity" hint="Critical alerts ignore quiet hours">
            <select value={draft.severity} onChange={(event) => update({ severity: event.target.value as Severity })}>
              {SEVERITIES.map((severity) => (
                <option key={severity} value={severity}>
                  {severity}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {isDeviceEvent(draft.event) ? (
          <fieldset className="timing">
            <legend className="field-label">Which devices (every given filter must match)</legend>
            <PillChoices
              legend="Tags"
              options={tagOptions}
              value={draft.tags}
              onChange={(tags) => update({ tags })}
              hint="Any of the chosen tags; none chosen: every device."
            />
            <div className="toolbar">
              <Field label="Subnets" hint="CIDR prefixes, comma- or line-separated" error={errors.subnets}>
                <textarea
                  rows={2}
                  className="mono"
                  value={draft.subnets}
                  spellCheck={false}
                  placeholder="10.0.0.0/24"
                  onChange={(event) => update({ subnets: event.target.value })}
                />
              </Field>
              <Field label="Vendors" hint="One per line, compared ignoring case">
                <textarea
                  rows={2}
                  value={draft.vendors}
                  placeholder="Synology Inc."
                  onChange={(event) => update({ vendors: event.target.value })}
                />
              </Field>
            </div>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={draft.watchedOnly}
                onChange={(event) => update({ watchedOnly: event.target.checked })}
              />
              Watched devices only
            </label>
            {errors.filters && (
              <p className="field-error" role="alert">
                {errors.filters}
              </p>
            )}
          </fieldset>
        ) : (
          <p className="muted small">A discovery-run rule fires for every failed run: it takes no device filters.</p>
        )}
        {draft.event === 'new_device' && (
          <fieldset className="timing">
            <legend className="field-label">New devices</legend>
            <div className="toolbar">
              <Field
                label="New-device delay"
                hint="Wait this long so names and vendor can resolve (e.g. 5m; 0 alerts at once)"
                error={errors.newDeviceDelay}
              >
                <input
                  value={draft.newDeviceDelay}
                  spellCheck={false}
                  onChange={(event) => update({ newDeviceDelay: event.target.value })}
                />
              </Field>
              <Field label="Randomised MACs" hint="Devices whose MACs are all locally administered">
                <select
                  value={draft.macPolicy}
                  onChange={(event) => update({ macPolicy: event.target.value as MacPolicy })}
                >
                  {MAC_POLICIES.map((policy) => (
                    <option key={policy.value} value={policy.value}>
                      {policy.label}
                    </option>
                  ))}
                </select>
              </Field>
              {draft.macPolicy === 'group' && (
                <Field label="Group window" hint="e.g. 1d" error={errors.groupWindow}>
                  <input
                    value={draft.groupWindow}
                    spellCheck={false}
                    onChange={(event) => update({ groupWindow: event.target.value })}
                  />
                </Field>
              )}
            </div>
          </fieldset>
        )}
        {(draft.event === 'device_offline' || draft.event === 'device_online') && (
          <fieldset className="timing">
            <legend className="field-label">Flap damping</legend>
            <div className="toolbar">
              <Field
                label="Flap threshold"
                hint="More changes than this in the window is flapping; 0 turns it off"
                error={errors.flapThreshold}
              >
                <input
                  inputMode="numeric"
                  value={draft.flapThreshold}
                  onChange={(event) => update({ flapThreshold: event.target.value })}
                />
              </Field>
              <Field label="Flap window" hint="e.g. 1h" error={errors.flapWindow}>
                <input
                  value={draft.flapWindow}
                  spellCheck={false}
                  onChange={(event) => update({ flapWindow: event.target.value })}
                />
              </Field>
            </div>
          </fieldset>
        )}
        {channelOptions.length > 0 ? (
          <PillChoices
            legend="Send to channels"
            options={channelOptions}
            value={draft.channelIds}
            onChange={(channelIds) => update({ channelIds })}
            hint="A rule without channels still records its alerts."
          />
        ) : (
          <p className="muted small">No channels yet: the rule records its alerts; add a channel to be told.</p>
        )}
        <QuietHoursFields
          name={ruleId ?? 'new-rule'}
          value={draft.quiet}
          errors={errors}
          onChange={(quiet) => update({ quiet })}
        />
        <FormFooter
          noun="rule"
          editing={Boolean(ruleId)}
          enabled={draft.enabled}
          onEnabled={(enabled) => update({ enabled })}
          save={save}
          onCancel={() => onDone()}
        />
      </form>
    </Card>
  );
}
