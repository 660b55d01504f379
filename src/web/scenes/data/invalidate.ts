import type { QueryClient } from '@tanstack/react-query';

/** After an import every cached view of devices may be stale; the session is not. */
export function invalidateDeviceData(client: QueryClient): Promise<void> {
  return client.invalidateQueries({ predicate: (query) => query.queryKey[0] !== 'session' });
}
