import type { PermissionRequirement } from '../domain/identity/permissions.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH';

/**
 * The operation table: one row per Machine API operation (spec sections 3-5). Routing, the
 * permission check, rate-limit buckets, the OpenAPI document and docs/compat.md all come from
 * it, so no route can forget its permission. `implemented: false` rows answer 501 NotImplemented
 * until their issue lands, instead of a misleading 404 or 405.
 */
export interface Operation {
  readonly id: string;
  readonly method: HttpMethod;
  /** Path below `/api` (and `/api/v1.0`), in Fastify's syntax. */
  readonly path: string;
  readonly summary: string;
  readonly permission: PermissionRequirement;
  readonly implemented: boolean;
}

const READ: PermissionRequirement = {
  application: ['Machine.Read.All', 'Machine.ReadWrite.All'],
  delegated: ['Machine.Read', 'Machine.ReadWrite'],
  role: 'View data',
};
const WRITE = (role: PermissionRequirement['role']): PermissionRequirement => ({
  application: ['Machine.ReadWrite.All'],
  delegated: ['Machine.ReadWrite'],
  role,
});

export const OPERATIONS = [
  { id: 'GetMachine', method: 'GET', path: '/machines/:machineId', summary: 'Get a machine by id, aadDeviceId or computer name', permission: READ, implemented: true },
  { id: 'SetDeviceValue', method: 'POST', path: '/machines/:machineId/setDeviceValue', summary: "Set a machine's device value", permission: WRITE('Manage security setting'), implemented: true },
  { id: 'UpdateMachine', method: 'PATCH', path: '/machines/:machineId', summary: "Update a machine's tags and/or device value", permission: WRITE('Alerts investigation'), implemented: true },
  { id: 'ListMachines', method: 'GET', path: '/machines', summary: 'List machines (OData)', permission: READ, implemented: true },
  { id: 'AddOrRemoveTag', method: 'POST', path: '/machines/:machineId/tags', summary: 'Add or remove a machine tag', permission: WRITE('Manage security setting'), implemented: true },
  { id: 'AddOrRemoveTagForMultipleMachines', method: 'POST', path: '/machines/AddOrRemoveTagForMultipleMachines', summary: 'Add or remove a tag on up to 500 machines', permission: WRITE('Manage security setting'), implemented: true },
  { id: 'FindMachinesByTag', method: 'GET', path: '/machines/findbytag', summary: 'Find machines by tag', permission: READ, implemented: true },
  // The arguments are part of the path segment, `findbyip(ip='10.1.2.3',timestamp=...)`: hence the wildcard.
  { id: 'FindMachinesByIp', method: 'GET', path: '/machines/findbyip*', summary: 'Find machines that held an internal IP around a time', permission: READ, implemented: true },
] as const satisfies readonly Operation[];

export type OperationId = (typeof OPERATIONS)[number]['id'];

export const operation = (id: OperationId): Operation => {
  const found = OPERATIONS.find((o) => o.id === id);
  if (!found) throw new Error(`unknown operation ${id}`);
  return found;
};
