import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { AlertChannelT } from '../../api/types.ts';
import { Button, Card, Field } from '../../components/ui.tsx';
import {
  CHANNEL_TYPES,
  type ChannelDraft,
  type ChannelErrors,
  type ChannelType,
  channelCreateBody,
  channelErrors,
  channelUpdateBody,
  newChannel,
} from './model.ts';
import { FormFooter, QuietHoursFields } from './parts.tsx';
import { alertKeys } from './queries.ts';

/** Create (no `channel`) or edit an alert channel. Secrets are write-only: never shown, only set, replaced or removed. */
export function ChannelForm({
  initial,
  channel,
  onDone,
}: {
  initial: ChannelDraft;
  channel?: AlertChannelT | undefined;
  onDone: (channel?: AlertChannelT) => void;
}) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<ChannelDraft>(initial);
  const [errors, setErrors] = useState<ChannelErrors>({});
  const [submitted, setSubmitted] = useState(false);
  const save = useMutation({
    mutationFn: (next: ChannelDraft) =>
      channel
        ? api.patch<AlertChannelT>(`/api/v1/alert-channels/${encodeURIComponent(channel.id)}`, channelUpdateBody(next))
        : api.post<AlertChannelT>('/api/v1/alert-channels', channelCreateBody(next)),
    onSuccess: async (saved) => {
      await client.invalidateQueries({ queryKey: alertKeys.channels });
      onDone(saved);
    },
  });
  const update = (change: Partial<ChannelDraft>) => {
    const next = { ...draft, ...change };
    setDraft(next);
    if (submitted) setErrors(channelErrors(next));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const found = channelErrors(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(draft);
  };
  const title = channel ? 'Edit channel' : 'New channel';
  const secretLabel = CHANNEL_TYPES.find((entry) => entry.value === draft.type)?.secret ?? 'Secret';
  return (
    <Card title={title} className="alert-editor">
      <form onSubmit={submit} noValidate aria-label={title}>
        <div className="toolbar">
          <Field label="Channel name" error={errors.name}>
            <input value={draft.name} maxLength={200} onChange={(event) => update({ name: event.target.value })} />
          </Field>
          {channel ? (
            <p className="muted">
              Type: <strong>{CHANNEL_TYPES.find((entry) => entry.value === draft.type)?.label}</strong> (fixed)
            </p>
          ) : (
            <Field label="Type">
              <select
                value={draft.type}
                onChange={(event) =>
                  setDraft({
                    ...newChannel(event.target.value as ChannelType),
                    name: draft.name,
                    enabled: draft.enabled,
                  })
                }
              >
                {CHANNEL_TYPES.map((entry) => (
                  <option key={entry.value} value={entry.value}>
                    {entry.label}
                  </option>
                ))}
              </select>
            </Field>
          )}
        </div>
        {draft.type === 'webhook' && (
          <Field label="URL" hint="Receives a signed JSON POST; any 2xx answer counts as delivered" error={errors.url}>
            <input
              type="url"
              className="mono"
              value={draft.url}
              spellCheck={false}
              placeholder="https://hooks.example.org/roller"
              onChange={(event) => update({ url: event.target.value })}
            />
          </Field>
        )}
        {draft.type === 'ntfy' && (
          <div className="toolbar">
            <Field label="Topic" error={errors.topic}>
              <input
                value={draft.topic}
                spellCheck={false}
                onChange={(event) => update({ topic: event.target.value })}
              />
            </Field>
            <Field label="Server URL" hint="Empty: https://ntfy.sh" error={errors.serverUrl}>
              <input
                type="url"
                className="mono"
                value={draft.serverUrl}
                spellCheck={false}
                placeholder="https://ntfy.sh"
                onChange={(event) => update({ serverUrl: event.target.value })}
              />
            </Field>
          </div>
        )}
        {draft.type === 'email' && (
          <>
            <div className="toolbar">
              <Field label="SMTP server" error={errors.host}>
                <input
                  value={draft.host}
                  spellCheck={false}
                  onChange={(event) => update({ host: event.target.value })}
                />
              </Field>
              <Field label="Port" error={errors.port}>
                <input
                  inputMode="numeric"
                  value={draft.port}
                  onChange={(event) => update({ port: event.target.value })}
                />
              </Field>
              <Field label="Encryption">
                <select
                  value={draft.tls}
                  onChange={(event) => update({ tls: event.target.value as ChannelDraft['tls'] })}
                >
                  <option value="starttls">STARTTLS (required)</option>
                  <option value="tls">TLS</option>
                  <option value="none">None (plain text)</option>
                </select>
              </Field>
              <Field label="SMTP user" hint="Empty: no login">
                <input
                  value={draft.username}
                  autoComplete="off"
                  onChange={(event) => update({ username: event.target.value })}
                />
              </Field>
            </div>
            <div className="toolbar">
              <Field label="From" error={errors.from}>
                <input type="email" value={draft.from} onChange={(event) => update({ from: event.target.value })} />
              </Field>
              <Field label="To" hint="Comma-separated addresses" error={errors.to}>
                <input value={draft.to} onChange={(event) => update({ to: event.target.value })} />
              </Field>
            </div>
          </>
        )}
        <SecretField
          label={secretLabel}
          optional={draft.type !== 'email'}
          stored={channel?.has_secret ?? false}
          draft={draft}
          error={errors.secret}
          onChange={update}
        />
        <fieldset className="timing">
          <legend className="field-label">Digest</legend>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.digest}
              onChange={(event) => update({ digest: event.target.checked })}
            />
            Collect alerts and send one message per interval
          </label>
          {draft.digest && (
            <Field label="Digest interval" hint="e.g. 15m, 1h" error={errors.digestInterval}>
              <input
                value={draft.digestInterval}
                spellCheck={false}
                onChange={(event) => update({ digestInterval: event.target.value })}
              />
            </Field>
          )}
        </fieldset>
        <QuietHoursFields
          name={channel?.id ?? 'new-channel'}
          value={draft.quiet}
          errors={errors}
          onChange={(quiet) => update({ quiet })}
        />
        <FormFooter
          noun="channel"
          editing={Boolean(channel)}
          enabled={draft.enabled}
          onEnabled={(enabled) => update({ enabled })}
          save={save}
          onCancel={() => onDone()}
        />
      </form>
    </Card>
  );
}

/**
 * A write-only secret. Nothing stored is ever shown: with one stored, the user may replace or remove
 * it; otherwise set one. The input starts empty every time.
 */
function SecretField({
  label,
  optional,
  stored,
  draft,
  error,
  onChange,
}: {
  label: string;
  optional: boolean;
  stored: boolean;
  draft: ChannelDraft;
  error: string | undefined;
  onChange: (change: Partial<ChannelDraft>) => void;
}) {
  const input = (
    <Field
      label={stored ? `New ${label.toLowerCase()}` : label}
      hint={optional ? 'Optional; write-only' : 'Write-only'}
      error={error}
    >
      <input
        type="password"
        autoComplete="new-password"
        value={draft.secret}
        onChange={(event) =>
          onChange({ secret: event.target.value, secretAction: event.target.value !== '' || stored ? 'set' : 'keep' })
        }
      />
    </Field>
  );
  if (!stored) return input;
  return (
    <fieldset className="timing">
      <legend className="field-label">{label}</legend>
      {draft.secretAction === 'keep' && (
        <p>
          A {label.toLowerCase()} is set; it is never shown.{' '}
          <Button onClick={() => onChange({ secretAction: 'set', secret: '' })}>Replace</Button>{' '}
          <Button variant="danger" onClick={() => onChange({ secretAction: 'remove', secret: '' })}>
            Remove
          </Button>
        </p>
      )}
      {draft.secretAction === 'set' && (
        <>
          {input}
          <Button onClick={() => onChange({ secretAction: 'keep', secret: '' })}>Keep the current one</Button>
        </>
      )}
      {draft.secretAction === 'remove' && (
        <p>
          The {label.toLowerCase()} will be removed when you save.{' '}
          <Button onClick={() => onChange({ secretAction: 'keep' })}>Keep it</Button>
        </p>
      )}
    </fieldset>
  );
}
