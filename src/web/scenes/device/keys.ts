import { deviceKey } from '../devices/queries.ts';

/** Every query of one device sits under deviceKey(id), so invalidating it refreshes them all. */
export const factsKey = (id: string) => [...deviceKey(id), 'facts'] as const;
export const historyKey = (id: string) => [...deviceKey(id), 'history'] as const;
export const tagsKey = (id: string) => [...deviceKey(id), 'tags'] as const;
export const candidatesKey = (id: string) => [...deviceKey(id), 'name-candidates'] as const;
