/** Small pieces shared by the discovery scenes. */
import { useEffect, useState } from 'react';
import type { DiscoveryRunT } from '../../api/types.ts';
import { Badge, type Tone } from '../../components/ui.tsx';
import { PRESETS, type Preset, presetLabel, runPreset, runProgress, runTags, SCAN_TAGS } from './model.ts';
import { useScopeSuggestions } from './queries.ts';

/** The current time, ticking every second while `live` (for "Elapsed"). */
export function useNow(live: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);
  return now;
}

/** Stage in words and a progress bar (indeterminate while the stage counts nothing yet). */
export function RunProgressView({ run }: { run: Pick<DiscoveryRunT, 'status' | 'stats'> }) {
  const progress = runProgress(run);
  const showBar = run.status === 'queued' || run.status === 'running' || run.status === 'succeeded';
  const valueText = `${progress.stage}${progress.counts ? ` (${progress.counts})` : ''}`;
  return (
    <div className="run-progress">
      <p className="run-stage">
        Stage: <strong data-testid="run-stage">{progress.stage}</strong>
        {progress.counts && <span className="muted"> ({progress.counts})</span>}
        {progress.percent !== undefined && <span className="muted"> · {progress.percent}%</span>}
      </p>
      {showBar && (
        <div
          className={`progress${progress.percent === undefined ? ' progress-indeterminate' : ''}`}
          role="progressbar"
          aria-label="Run progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={progress.percent}
          aria-valuetext={valueText}
        >
          <div style={progress.percent === undefined ? undefined : { width: `${progress.percent}%` }} />
        </div>
      )}
    </div>
  );
}

/** `Scope: … • Preset: … • Tags: …` of a run. */
export function RunSettingsLine({ run }: { run: DiscoveryRunT }) {
  const tags = runTags(run);
  return (
    <span>
      Scope: <span className="mono">{run.scope ?? 'default'}</span> • Preset: {presetLabel(runPreset(run))}
      {tags.length > 0 && ` • Tags: ${tags.join(', ')}`}
    </span>
  );
}

export function LevelBadge({ level }: { level: string }) {
  const tone: Tone =
    level === 'error'
      ? 'danger'
      : level === 'warn' || level === 'warning'
        ? 'warning'
        : level === 'info'
          ? 'info'
          : 'neutral';
  return <Badge tone={tone}>{level}</Badge>;
}

export function PresetSelect({
  id,
  value,
  onChange,
}: {
  id: string;
  value: Preset;
  onChange: (value: Preset) => void;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        Preset
      </label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as Preset)}>
        {PRESETS.map((preset) => (
          <option key={preset.value} value={preset.value}>
            {preset.label}
          </option>
        ))}
      </select>
      <span className="field-hint">{PRESETS.find((preset) => preset.value === value)?.description}</span>
    </div>
  );
}

/** The four scan tags as pill toggles (checkboxes, so Space toggles them). */
export function TagToggles({ value, onChange }: { value: string[]; onChange: (value: string[]) => void }) {
  return (
    <fieldset className="pill-group">
      <legend className="field-label">Scan tags</legend>
      {SCAN_TAGS.map((tag) => {
        const on = value.includes(tag.value);
        return (
          <label key={tag.value} className={`pill${on ? ' pill-on' : ''}`} title={tag.description}>
            <input
              type="checkbox"
              checked={on}
              onChange={() => onChange(on ? value.filter((t) => t !== tag.value) : [...value, tag.value])}
            />
            {tag.label}
          </label>
        );
      })}
      <p className="field-hint">
        {SCAN_TAGS.map((tag) => (
          <span key={tag.value} className="tag-hint">
            <strong>{tag.label}</strong>: {tag.description}{' '}
          </span>
        ))}
      </p>
    </fieldset>
  );
}

/** The scope input with up to 8 suggestions from the scanner's own interfaces. */
export function ScopeInput({
  id,
  value,
  onChange,
  error,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
}) {
  const suggestions = useScopeSuggestions();
  const scopes = suggestions.data?.scopes.slice(0, 8) ?? [];
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        Scope
      </label>
      <input
        id={id}
        value={value}
        placeholder="e.g. 10.0.0.0/24"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        onChange={(event) => onChange(event.target.value)}
      />
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      )}
      {scopes.length > 0 && (
        <fieldset className="pill-group suggestions">
          <legend className="field-hint">Suggestions</legend>
          {scopes.map((suggestion) => (
            <button
              key={suggestion.scope}
              type="button"
              className={`pill${value.trim() === suggestion.scope ? ' pill-on' : ''}`}
              aria-pressed={value.trim() === suggestion.scope}
              title={`${suggestion.targets} addresses`}
              onClick={() => onChange(suggestion.scope)}
            >
              {suggestion.scope}
              {suggestion.interface ? ` (${suggestion.interface})` : ''}
            </button>
          ))}
        </fieldset>
      )}
      <span id={`${id}-hint`} className="field-hint">
        A CIDR prefix, a single IP, or a comma-separated list (at most 64). Suggestions come from the scanner's own
        interfaces.
        {suggestions.isError && ' (Suggestions could not be loaded.)'}
      </span>
    </div>
  );
}
