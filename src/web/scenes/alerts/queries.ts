/** Query keys and fetchers of the alerts page. */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, query } from '../../api/client.ts';
import type {
  AlertChannelListT,
  AlertDeliveryListT,
  AlertRuleListT,
  TagPresenceSettingsListT,
} from '../../api/types.ts';

export const DELIVERY_PAGE_SIZE = 25;

export const alertKeys = {
  all: ['alerts'] as const,
  rules: ['alerts', 'rules'] as const,
  channels: ['alerts', 'channels'] as const,
  deliveries: ['alerts', 'deliveries'] as const,
  deliveryPage: (filters: DeliveryFilters) => ['alerts', 'deliveries', filters] as const,
  tagSettings: ['presence', 'tag-settings'] as const,
};

export interface DeliveryFilters {
  channel: string;
  status: string;
  rule: string;
}

export function useRules() {
  return useQuery({
    queryKey: alertKeys.rules,
    queryFn: ({ signal }) => api.get<AlertRuleListT>('/api/v1/alert-rules', signal),
  });
}

export function useChannels() {
  return useQuery({
    queryKey: alertKeys.channels,
    queryFn: ({ signal }) => api.get<AlertChannelListT>('/api/v1/alert-channels', signal),
  });
}

export function deliveriesPath(filters: DeliveryFilters, cursor?: string): string {
  return `/api/v1/alert-deliveries${query({
    channel_id: filters.channel,
    status: filters.status,
    rule_id: filters.rule,
    limit: DELIVERY_PAGE_SIZE,
    cursor,
  })}`;
}

/** Newest first; "Load more" appends the next page until the cursor runs out. */
export function useDeliveries(filters: DeliveryFilters) {
  return useInfiniteQuery({
    queryKey: alertKeys.deliveryPage(filters),
    queryFn: ({ pageParam, signal }) => api.get<AlertDeliveryListT>(deliveriesPath(filters, pageParam), signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.cursor,
  });
}

export function useTagSettings() {
  return useQuery({
    queryKey: alertKeys.tagSettings,
    queryFn: ({ signal }) => api.get<TagPresenceSettingsListT>('/api/v1/presence/tag-settings', signal),
  });
}
