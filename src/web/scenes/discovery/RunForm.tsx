import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { DiscoveryRunT } from '../../api/types.ts';
import { DISCOVERY_STATUS_KEY, useDiscoveryStatus } from '../../app/Shell.tsx';
import { Alert, Button, Card, ConfirmDialog, ErrorAlert } from '../../components/ui.tsx';
import { explainError, isActive, type Preset, runPreset, runTags, scopeProblem } from './model.ts';
import { PresetSelect, ScopeInput, TagToggles } from './parts.tsx';
import { discoveryKeys } from './queries.ts';

/** Starts a run (admin only; the scene renders it inside AdminOnly). Pre-filled from the latest run. */
export function RunForm({ onStarted }: { onStarted: (run: DiscoveryRunT) => void }) {
  const client = useQueryClient();
  const status = useDiscoveryStatus();
  const latest = status.data?.latest_run;
  const [scope, setScope] = useState<string>();
  const [preset, setPreset] = useState<Preset>();
  const [tags, setTags] = useState<string[]>();
  const [scopeError, setScopeError] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const scopeValue = scope ?? latest?.scope ?? '';
  const presetValue = preset ?? runPreset(latest);
  const tagsValue = tags ?? runTags(latest);

  const start = useMutation({
    mutationFn: () =>
      api.post<DiscoveryRunT>('/api/v1/discovery/run', {
        scope: scopeValue.trim(),
        preset: presetValue,
        tags: [...new Set(tagsValue)],
      }),
    onSuccess: (run) => {
      client.setQueryData(discoveryKeys.run(run.id), run);
      void client.invalidateQueries({ queryKey: discoveryKeys.firstRuns });
      void client.invalidateQueries({ queryKey: DISCOVERY_STATUS_KEY });
      onStarted(run);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = scopeProblem(scopeValue);
    setScopeError(problem);
    if (problem) return;
    if (isActive(latest?.status)) setConfirming(true);
    else start.mutate();
  };

  return (
    <Card title="Start a discovery run">
      <form onSubmit={submit} noValidate aria-label="Start a discovery run">
        <ScopeInput
          id="run-scope"
          value={scopeValue}
          onChange={(value) => {
            setScope(value);
            if (scopeError) setScopeError(scopeProblem(value));
          }}
          error={scopeError}
        />
        <PresetSelect id="run-preset" value={presetValue} onChange={setPreset} />
        <details className="advanced">
          <summary>Advanced: scan tags</summary>
          <TagToggles value={tagsValue} onChange={setTags} />
        </details>
        <p className="field-hint">Starting while another run is active queues this one behind it.</p>
        {start.isError && <ErrorAlert error={explainError(start.error)} prefix="Discovery was not started" />}
        {start.isSuccess && (
          <Alert tone="success">
            Discovery run <span className="mono">{start.data.id.slice(0, 8)}</span> queued; follow it below.
          </Alert>
        )}
        <Button type="submit" variant="primary" pending={start.isPending} pendingLabel="Starting…">
          Start discovery
        </Button>
      </form>
      <ConfirmDialog
        open={confirming}
        title="Discovery already in progress"
        confirmLabel="Queue another run"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          start.mutate();
        }}
      >
        <p>A run is queued or running. Another run will be queued and start once a worker is free.</p>
      </ConfirmDialog>
    </Card>
  );
}
