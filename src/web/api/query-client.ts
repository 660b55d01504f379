import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './client.ts';

/** SPEC §10.2: 2 retries with min(1000·2^attempt, 10000) ms, no refetch on focus, mutations never retry. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) =>
          failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 10_000),
        refetchOnWindowFocus: false,
        refetchIntervalInBackground: false,
        staleTime: 5_000,
      },
      mutations: { retry: false },
    },
  });
}
