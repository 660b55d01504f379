import type { ColumnType, Generated } from 'kysely';

/**
 * Row types as the driver returns them: timestamps arrive as RFC 3339 strings (see database.ts),
 * inet/macaddr as text, bigint as number.
 */
type Timestamp = ColumnType<string, string | undefined, string>;
type CreatedTimestamp = ColumnType<string, string | undefined, never>;
type Json = ColumnType<unknown, string, string>;

export interface DevicesTable {
  id: Generated<string>;
  display_name: string | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
  primary_ip: string | null;
  last_seen_at: string | null;
  last_change_at: Timestamp;
  search_text: Generated<string>;
  tags: Generated<string[]>;
  vendor: Generated<string | null>;
  display_name_auto: Generated<boolean>;
  presence: Generated<'online' | 'offline' | 'unknown'>;
  /** Presence (011): when the current state began, scans in a row that missed it, the last covering scan. */
  presence_since: string | null;
  presence_missed_scans: Generated<number>;
  presence_checked_at: string | null;
  presence_run_id: string | null;
}

export interface DeviceMetadataTable {
  id: Generated<string>;
  device_id: string;
  owner: string | null;
  location: string | null;
  notes: string | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
}

export interface InterfacesTable {
  id: Generated<string>;
  device_id: string;
  name: string | null;
  ifindex: number | null;
  descr: string | null;
  alias: string | null;
  mac: string | null;
  admin_status: number | null;
  oper_status: number | null;
  mtu: number | null;
  speed_bps: number | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
  source: string | null;
  seen_run_id: string | null;
  stale_since: string | null;
}

export interface IpAddressesTable {
  id: Generated<string>;
  device_id: string | null;
  interface_id: string | null;
  ip: string;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
  source: string | null;
  seen_run_id: string | null;
  stale_since: string | null;
  prefix_length: number | null;
}

export interface MacAddressesTable {
  id: Generated<string>;
  device_id: string | null;
  interface_id: string | null;
  mac: string;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
  source: string | null;
  seen_run_id: string | null;
  stale_since: string | null;
  vendor: string | null;
  locally_administered: Generated<boolean>;
}

export interface ServicesTable {
  id: Generated<string>;
  device_id: string;
  protocol: 'tcp' | 'udp' | null;
  port: number | null;
  name: string | null;
  state: 'open' | 'closed' | null;
  source: string | null;
  observed_at: Timestamp;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
  seen_run_id: string | null;
  stale_since: string | null;
}

export interface DiscoveryRunsTable {
  id: Generated<string>;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
  scope: string | null;
  stats: Json;
  queued_at: CreatedTimestamp;
  started_at: string | null;
  completed_at: string | null;
  last_error: string | null;
  worker_id: string | null;
  heartbeat_at: string | null;
  cancel_requested_at: string | null;
  schedule_id: string | null;
}

export interface DiscoverySchedulesTable {
  id: Generated<string>;
  name: string | null;
  scope: string;
  preset: 'fast' | 'normal' | 'deep';
  tags: string[];
  interval_seconds: number | null;
  cron: string | null;
  enabled: boolean;
  next_run_at: string | null;
  last_run_id: string | null;
  last_enqueued_at: string | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
}

export interface DiscoveryRunLogsTable {
  id: Generated<number>;
  run_id: string;
  level: string;
  message: string;
  created_at: CreatedTimestamp;
}

export interface IpObservationsTable {
  id: Generated<number>;
  run_id: string;
  device_id: string;
  ip: string;
  observed_at: Timestamp;
}

export interface MacObservationsTable {
  id: Generated<number>;
  run_id: string;
  device_id: string;
  mac: string;
  observed_at: Timestamp;
}

export interface DeviceSnmpTable {
  device_id: string;
  address: string | null;
  sys_name: string | null;
  sys_descr: string | null;
  sys_object_id: string | null;
  sys_contact: string | null;
  sys_location: string | null;
  last_success_at: string | null;
  last_error: string | null;
  updated_at: Timestamp;
  credential: string | null;
  sys_uptime: number | null;
}

export interface DeviceNameCandidatesTable {
  id: Generated<number>;
  device_id: string;
  name: string;
  source: string;
  address: string | null;
  observed_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface InterfaceVlansTable {
  id: Generated<number>;
  interface_id: string;
  vlan_id: number;
  role: 'pvid' | 'tagged' | 'untagged';
  source: string;
  observed_at: Timestamp;
  seen_run_id: string | null;
  stale_since: string | null;
}

export interface LinksTable {
  id: Generated<string>;
  link_key: string;
  a_device_id: string;
  a_interface_id: string | null;
  b_device_id: string;
  b_interface_id: string | null;
  link_type: 'ethernet' | 'wireless' | 'virtual' | null;
  source: 'manual' | 'lldp' | 'cdp';
  observed_at: string | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
  seen_run_id: string | null;
  stale_since: string | null;
  protocols: Generated<string[]>;
  /** Build mode (009): what an operator wrote about a curated link. */
  label: string | null;
  notes: string | null;
}

export interface ZonesTable {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
}

export interface DeviceZonesTable {
  zone_id: string;
  device_id: string;
  created_at: CreatedTimestamp;
}

export interface ZonePoliciesTable {
  id: Generated<string>;
  from_zone_id: string;
  to_zone_id: string;
  protocol: 'tcp' | 'udp' | 'icmp' | null;
  ports: string | null;
  action: 'allow' | 'deny';
  description: string | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
}

export interface ServiceDependenciesTable {
  id: Generated<string>;
  from_device_id: string;
  from_service_id: string | null;
  to_device_id: string;
  to_service_id: string | null;
  source: Generated<'manual' | 'imported' | 'inferred'>;
  description: string | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
}

export interface MapLayoutsTable {
  layer: 'physical' | 'l2' | 'l3' | 'services' | 'security';
  focus_type: 'device' | 'subnet' | 'vlan' | 'zone' | 'service';
  focus_id: string;
  positions: Json;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface AuditEventsTable {
  id: Generated<string>;
  actor: string;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Json;
  created_at: CreatedTimestamp;
}

export interface DeviceTagsTable {
  id: Generated<number>;
  device_id: string;
  tag: string;
  source: 'auto' | 'manual';
  confidence: number;
  evidence: Json | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
}

export interface FdbEntriesTable {
  id: Generated<number>;
  device_id: string;
  interface_id: string | null;
  mac: string;
  vlan_id: number | null;
  seen_run_id: string | null;
  observed_at: Timestamp;
  stale_since: string | null;
  created_at: CreatedTimestamp;
}

export interface DeviceVlansTable {
  device_id: string;
  vlan_id: number;
  name: string | null;
  seen_run_id: string | null;
  observed_at: Timestamp;
  stale_since: string | null;
}

export interface DeviceEventsTable {
  id: Generated<number>;
  device_id: string;
  kind: string;
  event_at: Generated<string>;
  run_id: string | null;
  actor: string | null;
  summary: string;
  details: Json;
}

/** Presence (011): the last time each probe got an answer from a device. */
export interface DeviceSightingsTable {
  device_id: string;
  probe: string;
  first_seen_at: CreatedTimestamp;
  last_seen_at: Timestamp;
  run_id: string | null;
}

/** Presence thresholds of one device (011); null inherits from its tags, then the global setting. */
export interface DevicePresenceSettingsTable {
  device_id: string;
  missed_scans: number | null;
  grace_s: number | null;
  updated_at: Timestamp;
  updated_by: string | null;
}

/** Presence thresholds of one tag (011); a device with several tags takes the largest of each. */
export interface TagPresenceSettingsTable {
  tag: string;
  missed_scans: number | null;
  grace_s: number | null;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface AlertChannelsTable {
  id: Generated<string>;
  name: string;
  type: 'webhook' | 'ntfy' | 'email';
  enabled: Generated<boolean>;
  config: Json;
  secret: string | null;
  digest_interval_s: number | null;
  quiet_hours: Json | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
}

export interface AlertRulesTable {
  id: Generated<string>;
  name: string;
  enabled: Generated<boolean>;
  event: 'new_device' | 'device_offline' | 'device_online' | 'ip_changed' | 'port_opened' | 'run_failed';
  severity: Generated<'info' | 'warning' | 'critical'>;
  filters: Json;
  channel_ids: Generated<string[]>;
  new_device_delay_s: Generated<number>;
  randomized_mac_policy: Generated<'alert' | 'group' | 'ignore'>;
  group_window_s: Generated<number>;
  flap_threshold: Generated<number>;
  flap_window_s: Generated<number>;
  quiet_hours: Json | null;
  created_at: CreatedTimestamp;
  updated_at: Timestamp;
}

export interface DeviceWatchTable {
  device_id: string;
  created_at: CreatedTimestamp;
}

export interface AlertEngineStateTable {
  id: number;
  /** bigint, as text from the driver. */
  event_cursor: string;
  runs_since: string;
  updated_at: Timestamp;
}

export interface AlertEventMarksTable {
  event_id: string;
}

export interface AlertRunMarksTable {
  run_id: string;
  marked_at: Timestamp;
}

export interface AlertsTable {
  id: Generated<string>;
  rule_id: string;
  kind: string;
  dedupe_key: string;
  device_id: string | null;
  run_id: string | null;
  event_id: string | null;
  group_key: string | null;
  severity: 'info' | 'warning' | 'critical';
  status: 'pending' | 'fired' | 'suppressed';
  suppressed_reason: string | null;
  title: string;
  message: string;
  details: Json;
  due_at: Timestamp;
  created_at: Timestamp;
}

export interface AlertFlapsTable {
  rule_id: string;
  device_id: string;
  flapping_since: string;
  last_transition_at: string;
}

export interface AlertDeliveriesTable {
  id: Generated<string>;
  channel_id: string;
  kind: 'alert' | 'digest' | 'test';
  alert_ids: Generated<string[]>;
  rule_id: string | null;
  device_id: string | null;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  status: 'collecting' | 'queued' | 'held' | 'sending' | 'retrying' | 'sent' | 'failed' | 'dropped';
  attempts: Generated<number>;
  max_attempts: number;
  next_attempt_at: Timestamp;
  locked_until: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AlertDeliveryAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempt: number;
  outcome: 'sent' | 'failed';
  error: string | null;
  duration_ms: number;
  attempted_at: Timestamp;
}

export interface SchemaMigrationsTable {
  version: number;
  dirty: boolean;
}

export interface Schema {
  devices: DevicesTable;
  device_metadata: DeviceMetadataTable;
  interfaces: InterfacesTable;
  ip_addresses: IpAddressesTable;
  mac_addresses: MacAddressesTable;
  services: ServicesTable;
  discovery_runs: DiscoveryRunsTable;
  discovery_run_logs: DiscoveryRunLogsTable;
  discovery_schedules: DiscoverySchedulesTable;
  ip_observations: IpObservationsTable;
  mac_observations: MacObservationsTable;
  device_snmp: DeviceSnmpTable;
  device_name_candidates: DeviceNameCandidatesTable;
  interface_vlans: InterfaceVlansTable;
  links: LinksTable;
  audit_events: AuditEventsTable;
  device_tags: DeviceTagsTable;
  fdb_entries: FdbEntriesTable;
  device_vlans: DeviceVlansTable;
  device_events: DeviceEventsTable;
  zones: ZonesTable;
  device_zones: DeviceZonesTable;
  zone_policies: ZonePoliciesTable;
  service_dependencies: ServiceDependenciesTable;
  map_layouts: MapLayoutsTable;
  device_sightings: DeviceSightingsTable;
  device_presence_settings: DevicePresenceSettingsTable;
  tag_presence_settings: TagPresenceSettingsTable;
  alert_channels: AlertChannelsTable;
  alert_rules: AlertRulesTable;
  device_watch: DeviceWatchTable;
  alert_engine_state: AlertEngineStateTable;
  alert_event_marks: AlertEventMarksTable;
  alert_run_marks: AlertRunMarksTable;
  alerts: AlertsTable;
  alert_flaps: AlertFlapsTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_delivery_attempts: AlertDeliveryAttemptsTable;
  schema_migrations: SchemaMigrationsTable;
}
