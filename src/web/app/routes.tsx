import type { RouteObject } from 'react-router';
import { AccountScene } from '../scenes/account/AccountScene.tsx';
import { AlertsScene } from '../scenes/alerts/AlertsScene.tsx';
import { DataScene } from '../scenes/data/DataScene.tsx';
import { DeviceScene } from '../scenes/device/DeviceScene.tsx';
import { DevicesScene } from '../scenes/devices/DevicesScene.tsx';
import { DiscoveryScene } from '../scenes/discovery/DiscoveryScene.tsx';
import { RunScene } from '../scenes/discovery/RunScene.tsx';
import { SchedulesScene } from '../scenes/discovery/SchedulesScene.tsx';

/** Every scene inside the signed-in shell; one line per route. */
export const SCENE_ROUTES: RouteObject[] = [
  { path: '/devices', element: <DevicesScene /> },
  { path: '/devices/:id', element: <DeviceScene /> },
  { path: '/discovery', element: <DiscoveryScene /> },
  { path: '/discovery/schedules', element: <SchedulesScene /> },
  { path: '/discovery/:runId', element: <RunScene /> },
  { path: '/data', element: <DataScene /> },
  { path: '/alerts', element: <AlertsScene /> },
  // The map carries Cytoscape (the largest dependency): loaded only when opened.
  { path: '/map', lazy: async () => ({ Component: (await import('../scenes/map/MapScene.tsx')).MapScene }) },
  { path: '/auth/account', element: <AccountScene /> },
];
