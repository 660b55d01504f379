import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { DiscoveryRunT } from '../../api/types.ts';
import { DISCOVERY_STATUS_KEY } from '../../app/Shell.tsx';
import { Button, ConfirmDialog, ErrorAlert } from '../../components/ui.tsx';
import { discoveryKeys } from './queries.ts';

/** POST …/runs/{id}/cancel after a confirmation; the scene shows it to admins for active runs only. */
export function CancelRunButton({ run }: { run: DiscoveryRunT }) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation({
    mutationFn: () => api.post<DiscoveryRunT>(`/api/v1/discovery/runs/${encodeURIComponent(run.id)}/cancel`),
    onSuccess: (answer) => {
      client.setQueryData(discoveryKeys.run(run.id), answer);
      void client.invalidateQueries({ queryKey: discoveryKeys.firstRuns });
      void client.invalidateQueries({ queryKey: DISCOVERY_STATUS_KEY });
    },
    onSettled: () => setConfirming(false),
  });
  const requested = run.cancel_requested_at !== undefined;
  return (
    <>
      <Button
        variant="danger"
        onClick={() => setConfirming(true)}
        pending={cancel.isPending}
        pendingLabel="Canceling…"
        disabled={requested}
      >
        {requested ? 'Cancellation requested' : 'Cancel run…'}
      </Button>
      {cancel.isError && <ErrorAlert error={cancel.error} prefix="The run was not canceled" />}
      <ConfirmDialog
        open={confirming}
        title="Cancel this run?"
        confirmLabel="Yes, cancel the run"
        danger
        onCancel={() => setConfirming(false)}
        onConfirm={() => cancel.mutate()}
      >
        <p>
          {run.status === 'queued'
            ? 'The run has not started; it is canceled at once.'
            : 'The worker stops the run; what it found so far stays, and the run ends canceled.'}
        </p>
      </ConfirmDialog>
    </>
  );
}
