import type { Generated } from 'kysely';

/**
 * Row types of every table, shared by all dialects. Every table is keyed by tenant first.
 * Booleans are stored as 0/1 integers and lists/objects as JSON text, which both SQLite and
 * PostgreSQL store as-is, so one migration set and one row mapper serve both.
 */
export interface Database {
  tenants: TenantRow;
  applications: ApplicationRow;
  signing_keys: SigningKeyRow;
  machines: MachineRow;
  machine_tags: MachineTagRow;
  value_history: ValueHistoryRow;
  machine_ip_history: MachineIpRow;
  users: UserRow;
  roles: RoleRow;
  device_groups: DeviceGroupRow;
  fault_rules: FaultRuleRow;
  value_rules: ValueRuleRow;
  value_rule_runs: ValueRuleRunRow;
  limit_counters: LimitCounterRow;
  console_revoked_sessions: ConsoleRevokedSessionRow;
  console_session_cutoffs: ConsoleSessionCutoffRow;
  machine_counts: MachineCountRow;
  /** PostgreSQL only (migration 0014): appended by triggers, a kind's sum(n) is its version. */
  machine_list_changes: MachineListChangeRow;
  /** PostgreSQL only (migration 0017): each machine's device value, kept by triggers; the value filters' index. */
  machine_values: MachineValueRow;
  journal_entries: JournalEntryRow;
  fault_counters: FaultCounterRow;
  shared_secrets: SharedSecretRow;
  machine_actions: MachineActionRow;
  machine_response_states: MachineResponseStateRow;
  investigations: InvestigationRow;
  alerts: AlertRow;
  alert_history: AlertHistoryRow;
}

export interface TenantRow {
  id: string;
  name: string;
  retention_days: number;
  /** JSON of a LimitOverride, or null. */
  limits: string | null;
  /** JSON of the FleetSeed the fleet was generated with, or null. */
  seed: string | null;
  /** JSON of the tenant's action settings (timings, live-response library), or null. */
  actions: string | null;
}

export interface ApplicationRow {
  tenant_id: string;
  client_id: string;
  name: string;
  /** '' for a public client. */
  secret_hash: string;
  roles: string;
  delegated_permissions: Generated<string>;
  limits: string | null;
}

export interface SigningKeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: string;
  created_at: string;
  /** 1 for the key that signs new tokens; older keys stay to verify tokens until they expire. */
  active: number;
}

export interface MachineRow {
  tenant_id: string;
  id: string;
  merged_into_machine_id: string | null;
  is_potential_duplication: number;
  is_excluded: number;
  exclusion_reason: string | null;
  computer_dns_name: string;
  /** Lower-cased copy: the lookup key for machines addressed by name. */
  computer_dns_name_lc: string;
  first_seen: string;
  last_seen: string;
  os_platform: string;
  os_version: string | null;
  os_processor: string;
  version: string;
  last_ip_address: string;
  last_external_ip_address: string;
  agent_version: string;
  os_build: number | null;
  health_status: string;
  device_value: string;
  rbac_group_id: number;
  rbac_group_name: string | null;
  risk_score: string | null;
  exposure_level: string | null;
  is_aad_joined: number;
  /** Lower case; GUIDs compare case-insensitively. */
  aad_device_id: string | null;
  machine_tags: string;
  defender_av_status: string;
  onboarding_status: string;
  os_architecture: string;
  managed_by: string;
  managed_by_status: string;
  ip_addresses: string;
  vm_metadata: string | null;
}

/** One row per tag, so tag filters become indexed EXISTS queries. */
export interface MachineTagRow {
  tenant_id: string;
  machine_id: string;
  tag: string;
}

export interface ValueHistoryRow {
  seq: Generated<number>;
  tenant_id: string;
  machine_id: string;
  old_value: string;
  new_value: string;
  changed_at: string;
  app_id: string | null;
  user_id: string | null;
  route: string;
  request_id: string | null;
}

export interface FaultRuleRow {
  tenant_id: string;
  position: number;
  spec: string;
}

/** A tenant's value rule (issue 13), in order of `position`. */
export interface ValueRuleRow {
  tenant_id: string;
  position: number;
  name: string;
  filter: string;
  device_value: string;
  applied_at: string | null;
}

/** One apply of a tenant's value rules: `rules` is the JSON of the rules it applies, `changed` of its counts per rule. */
export interface ValueRuleRunRow {
  id: string;
  tenant_id: string;
  started_at: string;
  finished_at: string | null;
  actor: string;
  rules: string;
  position: number;
  after_id: string;
  changed: string;
}

export interface LimitCounterRow {
  key: string;
  minute_start: number;
  minute_count: number;
  hour_start: number;
  hour_count: number;
}

/** Machines per tenant, device group, device value and day last seen (`YYYY-MM-DD`); kept by triggers (migration 0008). */
export interface MachineListChangeRow {
  kind: 'members' | 'values' | 'tags';
  n: number | string;
}

export interface MachineValueRow {
  tenant_id: string;
  device_value: string;
  id: string;
}

export interface MachineCountRow {
  tenant_id: string;
  rbac_group_id: number;
  device_value: string;
  seen_day: string;
  n: number;
}

/** A signed-out console session, refused until it would have expired (epoch ms). */
export interface ConsoleRevokedSessionRow {
  sid: string;
  expires_at: number;
}

/** Console sessions of the user that began at or before `revoked_at` (epoch ms) are refused. */
export interface ConsoleSessionCutoffRow {
  tenant_id: string;
  user_id: string;
  revoked_at: number;
}

export interface UserRow {
  tenant_id: string;
  id: string;
  user_principal_name: string;
  user_principal_name_lc: string;
  display_name: string;
  password_hash: string | null;
  user_groups: string;
}

export interface RoleRow {
  tenant_id: string;
  name: string;
  permissions: string;
  user_groups: string;
}

export interface DeviceGroupRow {
  tenant_id: string;
  id: number;
  name: string;
  rank: number;
  description: string;
  rules: string;
  user_groups: string;
}

/** A machine held an internal address over [seen_from, seen_to]: findbyip's history. */
export interface MachineIpRow {
  tenant_id: string;
  machine_id: string;
  ip_address: string;
  seen_from: string;
  seen_to: string;
}

/** One Machine API call in the shared request journal (several instances); `entry` is JSON. */
export interface JournalEntryRow {
  seq: Generated<number>;
  tenant_id: string;
  entry: string;
}

/** How many matching calls a fault rule has seen, across instances; the key names the rule's exact spec. */
export interface FaultCounterRow {
  tenant_id: string;
  rule_key: string;
  calls: number | string;
}

/** A secret generated once and shared by every instance (admin key, console session key). */
export interface SharedSecretRow {
  name: string;
  value: string;
}

/** The columns of every request to a device, machine action or investigation (migration 0010). */
export interface DeviceRequestColumns {
  tenant_id: string;
  id: string;
  machine_id: string;
  computer_dns_name: string;
  requestor: string;
  app_id: string;
  user_id: string | null;
  request_id: string | null;
  created_at: string;
  picked_up_at: string | null;
  ends_at: string;
  outcome: string;
}

/** A machine action: facts fixed at creation, its timeline, a cancellation. */
export interface MachineActionRow extends DeviceRequestColumns {
  type: string;
  scope: string | null;
  requestor_comment: string;
  request_source: string;
  error_hresult: number | string;
  file_sha1: string | null;
  /** JSON of the live-response commands. */
  commands: string;
  cancellation_requestor: string | null;
  cancellation_comment: string | null;
  cancelled_at: string | null;
  /** 1 while a succeeded action's effect on its device is still to be applied. */
  effect_pending: number;
}

/** A device's isolation or restriction, as the last succeeded action of the family left it. */
export interface MachineResponseStateRow {
  tenant_id: string;
  machine_id: string;
  family: string;
  state: string;
  detail: string | null;
  since: string;
  action_id: string;
}

export interface InvestigationRow extends DeviceRequestColumns {
  comment: string;
}

/** An alert (migration 0011); lists and objects as JSON text. */
export interface AlertRow {
  tenant_id: string;
  id: string;
  machine_id: string;
  incident_id: number | string | null;
  investigation_id: number | string | null;
  assigned_to: string | null;
  assigned_to_lc: string | null;
  severity: string;
  status: string;
  classification: string | null;
  determination: string | null;
  investigation_state: string | null;
  detection_source: string;
  detector_id: string;
  category: string;
  threat_family_name: string | null;
  title: string;
  description: string;
  recommended_action: string | null;
  created_at: string;
  first_event_at: string | null;
  last_event_at: string | null;
  last_update_at: string | null;
  resolved_at: string | null;
  threat_name: string | null;
  mitre_techniques: string;
  related_user: string | null;
  comments: string;
  evidence: string;
}

/** One change of an alert: JSON of the changed fields, and who made it through which call. */
export interface AlertHistoryRow {
  seq: Generated<number>;
  tenant_id: string;
  alert_id: string;
  changes: string;
  changed_at: string;
  app_id: string | null;
  user_id: string | null;
  route: string;
  request_id: string | null;
}
