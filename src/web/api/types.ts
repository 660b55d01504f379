/**
 * Wire types of the core API, taken from the very schemas core validates and documents with
 * (src/shared/schemas): type-only imports, so nothing of TypeBox reaches the browser bundle.
 */
import type { Static } from 'typebox';
import type {
  AlertChannel,
  AlertChannelCreate,
  AlertChannelList,
  AlertChannelTestResult,
  AlertChannelUpdate,
  AlertDelivery,
  AlertDeliveryList,
  AlertRule,
  AlertRuleCreate,
  AlertRuleList,
  AlertRuleUpdate,
  DeviceWatch,
  QuietHoursSchema,
} from '../../shared/schemas/alerts.ts';
import type { AuditEvent, AuditEventList } from '../../shared/schemas/audit.ts';
import type {
  Device,
  DeviceFacts,
  DeviceList,
  DeviceTagList,
  NameCandidateList,
  TagTaxonomy,
} from '../../shared/schemas/devices.ts';
import type {
  DiscoveryRun,
  DiscoveryRunList,
  DiscoveryStatus,
  RunLogList,
  Schedule,
  ScheduleList,
  ScopeSuggestions,
} from '../../shared/schemas/discovery.ts';
import type { DeviceEvent, DeviceEventList } from '../../shared/schemas/history.ts';
import type { InventoryImportResult } from '../../shared/schemas/inventory.ts';
import type { MapProjection } from '../../shared/schemas/map.ts';
import type { ManualLink, ServiceDependency, Zone, ZoneList, ZonePolicy } from '../../shared/schemas/map-build.ts';
import type { MapLayout } from '../../shared/schemas/map-layout.ts';
import type {
  DevicePresenceSettings,
  PresenceSettingsUpdate,
  TagPresenceSettings,
  TagPresenceSettingsList,
} from '../../shared/schemas/presence.ts';
import type { SnapshotImportResult } from '../../shared/schemas/snapshot.ts';

export type DeviceT = Static<typeof Device>;
export type DeviceListT = Static<typeof DeviceList>;
export type DeviceFactsT = Static<typeof DeviceFacts>;
export type NameCandidatesT = Static<typeof NameCandidateList>;
export type DeviceTagsT = Static<typeof DeviceTagList>;
export type TagTaxonomyT = Static<typeof TagTaxonomy>;
export type DiscoveryRunT = Static<typeof DiscoveryRun>;
export type DiscoveryRunListT = Static<typeof DiscoveryRunList>;
export type DiscoveryStatusT = Static<typeof DiscoveryStatus>;
export type RunLogListT = Static<typeof RunLogList>;
export type ScheduleT = Static<typeof Schedule>;
export type ScheduleListT = Static<typeof ScheduleList>;
export type ScopeSuggestionsT = Static<typeof ScopeSuggestions>;
export type DeviceEventT = Static<typeof DeviceEvent>;
export type DeviceEventListT = Static<typeof DeviceEventList>;
export type AuditEventT = Static<typeof AuditEvent>;
export type AuditEventListT = Static<typeof AuditEventList>;
export type InventoryImportResultT = Static<typeof InventoryImportResult>;
export type SnapshotImportResultT = Static<typeof SnapshotImportResult>;
export type MapProjectionT = Static<typeof MapProjection>;
export type MapLayoutT = Static<typeof MapLayout>;
export type ZoneT = Static<typeof Zone>;
export type ZoneListT = Static<typeof ZoneList>;
export type ZonePolicyT = Static<typeof ZonePolicy>;
export type ManualLinkT = Static<typeof ManualLink>;
export type ServiceDependencyT = Static<typeof ServiceDependency>;
export type AlertRuleT = Static<typeof AlertRule>;
export type AlertRuleListT = Static<typeof AlertRuleList>;
export type AlertRuleCreateT = Static<typeof AlertRuleCreate>;
export type AlertRuleUpdateT = Static<typeof AlertRuleUpdate>;
export type AlertChannelT = Static<typeof AlertChannel>;
export type AlertChannelListT = Static<typeof AlertChannelList>;
export type AlertChannelCreateT = Static<typeof AlertChannelCreate>;
export type AlertChannelUpdateT = Static<typeof AlertChannelUpdate>;
export type AlertChannelTestResultT = Static<typeof AlertChannelTestResult>;
export type AlertDeliveryT = Static<typeof AlertDelivery>;
export type AlertDeliveryListT = Static<typeof AlertDeliveryList>;
export type QuietHoursT = Static<typeof QuietHoursSchema>;
export type DeviceWatchT = Static<typeof DeviceWatch>;
export type DevicePresenceSettingsT = Static<typeof DevicePresenceSettings>;
export type PresenceSettingsUpdateT = Static<typeof PresenceSettingsUpdate>;
export type TagPresenceSettingsT = Static<typeof TagPresenceSettings>;
export type TagPresenceSettingsListT = Static<typeof TagPresenceSettingsList>;

/** GET /api/auth/session and the login answer (UI server). */
export interface SessionT {
  username: string;
  role: 'admin' | 'read-only';
  csrf_token: string;
  expires_at: string;
  can_manage_own_password: boolean;
}
