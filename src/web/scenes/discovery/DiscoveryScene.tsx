import { useState } from 'react';
import { Link } from 'react-router';
import { useDiscoveryStatus } from '../../app/Shell.tsx';
import { useIsAdmin } from '../../app/session.tsx';
import { Alert } from '../../components/ui.tsx';
import { DiscoveryStatusPanel } from './DiscoveryStatusPanel.tsx';
import { LiveRunCard } from './LiveRunCard.tsx';
import { isActive } from './model.ts';
import { RunForm } from './RunForm.tsx';
import { RunList } from './RunList.tsx';

/** /discovery: the latest run, the run form (admins), the run followed live, and the run list (SPEC §10.6). */
export function DiscoveryScene() {
  const admin = useIsAdmin();
  const status = useDiscoveryStatus();
  const [startedId, setStartedId] = useState<string>();
  const [activeId, setActiveId] = useState<string>();
  const latest = status.data?.latest_run;
  // An active run found by the status poll stays on the page after it ends, with its outcome.
  if (latest && isActive(latest.status) && latest.id !== activeId) setActiveId(latest.id);
  const followId = startedId ?? activeId;
  return (
    <>
      <header className="scene-header">
        <div>
          <h1>Discovery</h1>
          <p className="muted">Find the live hosts in a scope and fold them into the inventory.</p>
        </div>
        <Link className="button button-default" to="/discovery/schedules">
          Schedules
        </Link>
      </header>
      <details className="explainer">
        <summary>What does discovery do?</summary>
        <p>
          A run sweeps the scope you give it (a best effort: ARP on local segments, ICMP or TCP elsewhere), updates the
          devices' IP and MAC facts, and, when the preset or tags ask for it, looks up names, walks SNMP and scans
          ports. Every run is scoped and leaves a run record with statistics and a log.
        </p>
      </details>
      <div className="grid-2 discovery-top">
        <DiscoveryStatusPanel />
        {admin ? (
          <RunForm onStarted={(run) => setStartedId(run.id)} />
        ) : (
          <Alert tone="info">You are signed in read-only: you can follow runs, but not start or cancel them.</Alert>
        )}
      </div>
      {followId && <LiveRunCard key={followId} runId={followId} title={startedId ? 'Started run' : 'Active run'} />}
      <RunList />
    </>
  );
}
