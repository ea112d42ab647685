/**
 * What each bench scenario sends, and what a correct answer is. Machine scenarios load the
 * demo machines; action scenarios request antivirus scans (no effect on the device, so nothing
 * but the request itself is measured) on Active machines, with the server's action timings set
 * to instant so a device's scan is over before the next one arrives, and poll actions by id.
 */
import type { ScenarioName } from './report.js';
import { BODIES } from './rampart-client.js';

/** Which of the captured Rampart replies the bare server sends for a scenario. */
export type ReplyKind = 'machine' | 'action';

export interface ScenarioSpec {
  readonly method: 'GET' | 'POST';
  readonly status: number;
  readonly reply: ReplyKind;
  readonly bodies?: readonly string[];
  /** The request paths, from the machine paths and the ids of actions created on that server. */
  paths(machinePaths: readonly string[], actionMachinePaths: readonly string[], actionIds: readonly string[]): string[];
}

export const SCAN_BODY = '{"Comment":"bench scan","ScanType":"Quick"}';

export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioSpec>> = {
  setDeviceValue: { method: 'POST', status: 200, reply: 'machine', bodies: BODIES, paths: (m) => m.map((p) => `${p}/setDeviceValue`) },
  getMachine: { method: 'GET', status: 200, reply: 'machine', paths: (m) => [...m] },
  createAction: { method: 'POST', status: 201, reply: 'action', bodies: [SCAN_BODY], paths: (_m, a) => a.map((p) => `${p}/runAntiVirusScan`) },
  getAction: { method: 'GET', status: 200, reply: 'action', paths: (_m, _a, ids) => ids.map((id) => `/api/machineactions/${id}`) },
};

/** The scenarios bench/backends.ts compares across backends (actions are measured on SQLite only). */
export const MACHINE_SCENARIOS: readonly ScenarioName[] = ['setDeviceValue', 'getMachine'];
