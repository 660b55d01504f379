/** Pieces shared by the rule and channel forms. */
import type { ReactNode } from 'react';
import { ApiError } from '../../api/client.ts';
import { Button, ErrorAlert, Field } from '../../components/ui.tsx';
import type { QuietDraft, QuietErrors } from './model.ts';

/** Checkboxes drawn as pills (Space toggles them), for tags and channels. */
export function PillChoices({
  legend,
  options,
  value,
  onChange,
  hint,
}: {
  legend: string;
  options: readonly { value: string; label: string; title?: string }[];
  value: string[];
  onChange: (value: string[]) => void;
  hint?: ReactNode;
}) {
  return (
    <fieldset className="pill-group">
      <legend className="field-label">{legend}</legend>
      {options.map((option) => {
        const on = value.includes(option.value);
        return (
          <label key={option.value} className={`pill${on ? ' pill-on' : ''}`} title={option.title}>
            <input
              type="checkbox"
              checked={on}
              onChange={() => onChange(on ? value.filter((v) => v !== option.value) : [...value, option.value])}
            />
            {option.label}
          </label>
        );
      })}
      {hint && <p className="field-hint">{hint}</p>}
    </fieldset>
  );
}

/** Quiet hours: off, or ranges in a time zone with hold or drop. */
export function QuietHoursFields({
  value,
  onChange,
  errors,
  name,
}: {
  value: QuietDraft;
  onChange: (value: QuietDraft) => void;
  errors: QuietErrors;
  /** radio group name, unique per form */
  name: string;
}) {
  const update = (change: Partial<QuietDraft>) => onChange({ ...value, ...change });
  return (
    <fieldset className="timing">
      <legend className="field-label">Quiet hours</legend>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={value.enabled}
          onChange={(event) => update({ enabled: event.target.checked })}
        />
        Use quiet hours
      </label>
      {value.enabled && (
        <>
          <div className="toolbar">
            <Field
              label="Quiet ranges"
              hint="24-hour times, comma-separated; 22:00-07:00 crosses midnight"
              error={errors.ranges}
            >
              <input
                value={value.ranges}
                spellCheck={false}
                placeholder="22:00-07:00"
                onChange={(event) => update({ ranges: event.target.value })}
              />
            </Field>
            <Field label="Time zone" hint="IANA name, e.g. Europe/Berlin" error={errors.timeZone}>
              <input
                value={value.timeZone}
                spellCheck={false}
                onChange={(event) => update({ timeZone: event.target.value })}
              />
            </Field>
          </div>
          <label className="radio">
            <input
              type="radio"
              name={`${name}-quiet-mode`}
              checked={value.mode === 'hold'}
              onChange={() => update({ mode: 'hold' })}
            />
            Hold messages until the quiet hours end
          </label>
          <label className="radio">
            <input
              type="radio"
              name={`${name}-quiet-mode`}
              checked={value.mode === 'drop'}
              onChange={() => update({ mode: 'drop' })}
            />
            Drop them
          </label>
          <p className="field-hint">Critical alerts are never held or dropped.</p>
        </>
      )}
    </fieldset>
  );
}

/** The server's message plus what its details say was wrong (e.g. "invalid channel config: webhook needs url"). */
export function explainError(error: unknown): unknown {
  if (!(error instanceof ApiError) || !error.details) return error;
  const details = error.details;
  const extra =
    typeof details.error === 'string'
      ? details.error
      : Array.isArray(details.channel_ids)
        ? `missing channels ${details.channel_ids.join(', ')}`
        : undefined;
  if (!extra || error.message.includes(extra)) return error;
  return new ApiError(error.status, error.code, `${error.message}: ${extra}`, error.requestId, error.details);
}

/** The end of a rule or channel form: the Enabled box, the save error, Save/Create and Cancel. */
export function FormFooter({
  noun,
  editing,
  enabled,
  onEnabled,
  save,
  onCancel,
}: {
  noun: 'rule' | 'channel';
  editing: boolean;
  enabled: boolean;
  onEnabled(enabled: boolean): void;
  save: { isError: boolean; error: unknown; isPending: boolean };
  onCancel(): void;
}) {
  return (
    <>
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(event) => onEnabled(event.target.checked)} />
        Enabled
      </label>
      {save.isError && <ErrorAlert error={explainError(save.error)} prefix={`The ${noun} was not saved`} />}
      <div className="card-actions">
        <Button type="submit" variant="primary" pending={save.isPending} pendingLabel="Saving…">
          {editing ? `Save ${noun}` : `Create ${noun}`}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </>
  );
}
