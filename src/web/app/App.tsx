import { QueryClientProvider } from '@tanstack/react-query';
import { useMemo } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { createQueryClient } from '../api/query-client.ts';
import { LoginScene } from '../scenes/login/LoginScene.tsx';
import { SCENE_ROUTES } from './routes.tsx';
import { Shell } from './Shell.tsx';
import { RequireSession } from './session.tsx';
import { NotFoundView } from './states.tsx';

export function App() {
  const client = useMemo(createQueryClient, []);
  const router = useMemo(
    () =>
      createBrowserRouter([
        { path: '/auth/login', element: <LoginScene /> },
        { path: '/', element: <Navigate to="/devices" replace /> },
        {
          element: (
            <RequireSession>
              <Shell />
            </RequireSession>
          ),
          children: [...SCENE_ROUTES, { path: '*', element: <NotFoundView /> }],
        },
      ]),
    [],
  );
  return (
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
