import { Link, useSearchParams } from 'react-router';
import { useIsAdmin } from '../../app/session.tsx';
import { ChannelsTab } from './ChannelsTab.tsx';
import { DeliveryLog } from './DeliveryLog.tsx';
import { PresenceTab } from './PresenceTab.tsx';
import { RulesTab } from './RulesTab.tsx';

export const ALERT_TABS = [
  { value: 'rules', label: 'Rules' },
  { value: 'channels', label: 'Channels' },
  { value: 'log', label: 'Delivery log' },
  { value: 'presence', label: 'Presence settings' },
] as const;
export type AlertTab = (typeof ALERT_TABS)[number]['value'];

export function tabFromSearch(params: URLSearchParams): AlertTab {
  const tab = params.get('tab');
  return ALERT_TABS.find((entry) => entry.value === tab)?.value ?? 'rules';
}

/** /alerts: rules, channels, the delivery log and per-tag presence settings, one section at a time (?tab=). */
export function AlertsScene() {
  const [params] = useSearchParams();
  const tab = tabFromSearch(params);
  const admin = useIsAdmin();
  return (
    <>
      <header className="scene-header">
        <div>
          <h1>Alerts</h1>
          <p className="muted">
            Rules decide which changes matter, channels where the message goes; every message is in the delivery log.
            {admin ? '' : ' You are signed in read-only: you can look, not change.'}
          </p>
        </div>
      </header>
      <nav aria-label="Alert sections" className="alerts-tabs">
        <ul className="alerts-tab-list">
          {ALERT_TABS.map((entry) => (
            <li key={entry.value}>
              <Link
                to={{ search: entry.value === 'rules' ? '' : `?tab=${entry.value}` }}
                aria-current={entry.value === tab ? 'page' : undefined}
                className={entry.value === tab ? 'alerts-tab alerts-tab-active' : 'alerts-tab'}
              >
                {entry.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {tab === 'rules' && <RulesTab />}
      {tab === 'channels' && <ChannelsTab />}
      {tab === 'log' && <DeliveryLog />}
      {tab === 'presence' && <PresenceTab />}
    </>
  );
}
