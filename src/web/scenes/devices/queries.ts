import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { DeviceTagsT, TagTaxonomyT } from '../../api/types.ts';

/** Every device query starts with this key, so one invalidation refreshes lists and details alike. */
export const DEVICES_KEY = ['devices'] as const;
export const deviceKey = (id: string) => ['devices', 'one', id] as const;
export const TAXONOMY_KEY = ['device-tags', 'taxonomy'] as const;

/** The tag taxonomy never changes while the server runs. */
export function useTaxonomy() {
  return useQuery({
    queryKey: TAXONOMY_KEY,
    queryFn: ({ signal }) => api.get<TagTaxonomyT>('/api/v1/device-tags/taxonomy', signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function tagLabel(taxonomy: TagTaxonomyT | undefined, tag: string): string {
  return taxonomy?.find((entry) => entry.tag === tag)?.label ?? tag;
}

export interface BulkTagResult {
  added: string[];
  unchanged: string[];
  failed: { id: string; error: unknown }[];
}

/**
 * Adds one manual tag to each device: PUT /tags replaces the manual list, so each device's current
 * manual tags are read first and the tag appended. One device at a time (never a burst of writes);
 * a failure is recorded and the rest carry on.
 */
export async function addTagToDevices(
  ids: readonly string[],
  tag: string,
  onProgress?: (done: number) => void,
): Promise<BulkTagResult> {
  const result: BulkTagResult = { added: [], unchanged: [], failed: [] };
  for (const [index, id] of ids.entries()) {
    try {
      const rows = await api.get<DeviceTagsT>(`/api/v1/devices/${id}/tags`);
      const manual = rows.filter((row) => row.source === 'manual').map((row) => row.tag);
      if (manual.includes(tag)) {
        result.unchanged.push(id);
      } else {
        await api.put(`/api/v1/devices/${id}/tags`, { tags: [...manual, tag] });
        result.added.push(id);
      }
    } catch (error) {
      result.failed.push({ id, error });
    }
    onProgress?.(index + 1);
  }
  return result;
}
