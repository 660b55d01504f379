import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { ScheduleT } from '../../api/types.ts';
import { Button, Card, ErrorAlert, Field } from '../../components/ui.tsx';
import {
  explainError,
  type IntervalUnit,
  type ScheduleDraft,
  type ScheduleErrors,
  scheduleBody,
  scheduleErrors,
} from './model.ts';
import { PresetSelect, ScopeInput, TagToggles } from './parts.tsx';
import { discoveryKeys } from './queries.ts';

/** Create (no `scheduleId`) or edit a schedule: interval or cron (UTC), scope, preset, tags, enabled. */
export function ScheduleForm({
  initial,
  scheduleId,
  onDone,
}: {
  initial: ScheduleDraft;
  scheduleId?: string | undefined;
  onDone: (schedule?: ScheduleT) => void;
}) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<ScheduleDraft>(initial);
  const [errors, setErrors] = useState<ScheduleErrors>({});
  const [submitted, setSubmitted] = useState(false);
  const save = useMutation({
    mutationFn: (body: ReturnType<typeof scheduleBody>) =>
      scheduleId
        ? api.put<ScheduleT>(`/api/v1/discovery/schedules/${encodeURIComponent(scheduleId)}`, body)
        : api.post<ScheduleT>('/api/v1/discovery/schedules', body),
    onSuccess: async (schedule) => {
      await client.invalidateQueries({ queryKey: discoveryKeys.schedules });
      onDone(schedule);
    },
  });
  const update = (change: Partial<ScheduleDraft>) => {
    const next = { ...draft, ...change };
    setDraft(next);
    if (submitted) setErrors(scheduleErrors(next));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const found = scheduleErrors(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(scheduleBody(draft));
  };
  const prefix = scheduleId ? 'schedule-edit' : 'schedule-new';
  return (
    <Card title={scheduleId ? 'Edit schedule' : 'New schedule'} className="schedule-editor">
      <form onSubmit={submit} noValidate aria-label={scheduleId ? 'Edit schedule' : 'New schedule'}>
        <Field label="Name (optional)" error={errors.name}>
          <input value={draft.name} maxLength={200} onChange={(event) => update({ name: event.target.value })} />
        </Field>
        <ScopeInput
          id={`${prefix}-scope`}
          value={draft.scope}
          onChange={(scope) => update({ scope })}
          error={errors.scope}
        />
        <PresetSelect id={`${prefix}-preset`} value={draft.preset} onChange={(preset) => update({ preset })} />
        <TagToggles value={draft.tags} onChange={(tags) => update({ tags })} />
        <fieldset className="timing">
          <legend className="field-label">When</legend>
          <label className="radio">
            <input
              type="radio"
              name={`${prefix}-timing`}
              checked={draft.timing === 'interval'}
              onChange={() => update({ timing: 'interval' })}
            />
            Every
          </label>
          <label className="radio">
            <input
              type="radio"
              name={`${prefix}-timing`}
              checked={draft.timing === 'cron'}
              onChange={() => update({ timing: 'cron' })}
            />
            Cron expression (UTC)
          </label>
          {draft.timing === 'interval' ? (
            <div className="toolbar">
              <Field label="Interval" error={errors.every}>
                <input
                  type="number"
                  inputMode="numeric"
                  min={1}
                  value={draft.every}
                  aria-invalid={errors.every ? true : undefined}
                  onChange={(event) => update({ every: event.target.value })}
                />
              </Field>
              <Field label="Unit">
                <select value={draft.unit} onChange={(event) => update({ unit: event.target.value as IntervalUnit })}>
                  <option value="minutes">minutes</option>
                  <option value="hours">hours</option>
                  <option value="days">days</option>
                </select>
              </Field>
            </div>
          ) : (
            <Field
              label="Cron"
              hint="minute hour day month weekday, in UTC; e.g. 0 3 * * * (daily at 03:00)"
              error={errors.cron}
            >
              <input
                className="mono"
                value={draft.cron}
                placeholder="0 3 * * *"
                spellCheck={false}
                aria-invalid={errors.cron ? true : undefined}
                onChange={(event) => update({ cron: event.target.value })}
              />
            </Field>
          )}
        </fieldset>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(event) => update({ enabled: event.target.checked })}
          />
          Enabled
        </label>
        {save.isError && <ErrorAlert error={explainError(save.error)} prefix="The schedule was not saved" />}
        <div className="card-actions">
          <Button type="submit" variant="primary" pending={save.isPending} pendingLabel="Saving…">
            {scheduleId ? 'Save schedule' : 'Create schedule'}
          </Button>
          <Button onClick={() => onDone()}>Cancel</Button>
        </div>
      </form>
    </Card>
  );
}
