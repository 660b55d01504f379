import type { RouteObject } from 'react-router';
import { AccountScene } from '../scenes/account/AccountScene.tsx';

/** Every scene inside the signed-in shell; one line per route. */
export const SCENE_ROUTES: RouteObject[] = [{ path: '/auth/account', element: <AccountScene /> }];
