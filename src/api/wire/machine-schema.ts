import { Type, type TSchema } from 'typebox';

/**
 * The wire schemas: they drive response serialisation (compiled, so no per-request
 * JSON.stringify of a generic object) and the OpenAPI document. Property order is wire order.
 */
export const Nullable = <T extends TSchema>(schema: T) => Type.Unsafe<unknown>({ ...schema, type: [(schema as unknown as { type: string }).type, 'null'] });

export const IpAddressSchema = Type.Object({
  ipAddress: Type.String(),
  macAddress: Nullable(Type.String()),
  type: Type.String(),
  operationalStatus: Type.String(),
}, { title: 'IpAddress' });

export const VmMetadataSchema = Type.Object({
  vmId: Nullable(Type.String()),
  cloudProvider: Nullable(Type.String()),
  resourceId: Nullable(Type.String()),
  subscriptionId: Nullable(Type.String()),
}, { title: 'VmMetadata' });

const machineProperties = {
  id: Type.String({ pattern: '^[0-9a-f]{40}$' }),
  mergedIntoMachineId: Nullable(Type.String()),
  isPotentialDuplication: Type.Boolean(),
  isExcluded: Type.Boolean(),
  exclusionReason: Nullable(Type.String()),
  computerDnsName: Type.String(),
  firstSeen: Type.String({ format: 'date-time' }),
  lastSeen: Type.String({ format: 'date-time' }),
  osPlatform: Type.String(),
  osVersion: Nullable(Type.String()),
  osProcessor: Type.String(),
  version: Type.String(),
  lastIpAddress: Type.String(),
  lastExternalIpAddress: Type.String(),
  agentVersion: Type.String(),
  osBuild: Nullable(Type.Integer()),
  healthStatus: Type.String(),
  deviceValue: Type.Union([Type.Literal('Normal'), Type.Literal('Low'), Type.Literal('High')]),
  rbacGroupId: Type.Integer(),
  rbacGroupName: Nullable(Type.String()),
  riskScore: Nullable(Type.String()),
  exposureLevel: Nullable(Type.String()),
  isAadJoined: Type.Boolean(),
  aadDeviceId: Nullable(Type.String()),
  machineTags: Type.Array(Type.String()),
  defenderAvStatus: Type.String(),
  onboardingStatus: Type.String(),
  osArchitecture: Type.String(),
  managedBy: Type.String(),
  managedByStatus: Type.String(),
  ipAddresses: Type.Array(IpAddressSchema),
  vmMetadata: Type.Unsafe<unknown>({ anyOf: [VmMetadataSchema, { type: 'null' }] }),
};

export const MachineSchema = Type.Object(machineProperties, { $id: 'Machine' });

export const MachineEntitySchema = Type.Object(
  { '@odata.context': Type.String(), ...machineProperties },
  { description: 'A single machine in the OData entity envelope' },
);

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable error code, see docs/errors.md' }),
      message: Type.String(),
      target: Type.String({ description: 'the request correlation id (also in the request-id header)' }),
    }),
  },
  { description: 'The Machine API error envelope' },
);

export const MachineIdParams = Type.Object({
  machineId: Type.String({ description: 'machine id, aadDeviceId or computerDnsName' }),
});

export const SetDeviceValueBody = Type.Object(
  { DeviceValue: Type.Union([Type.Literal('Normal'), Type.Literal('Low'), Type.Literal('High')]) },
  { description: 'Key is case-sensitive; the value matches case-insensitively' },
);

export const MachinePatchBody = Type.Object({
  machineTags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }))),
  deviceValue: Type.Optional(Type.Union([Type.Literal('Normal'), Type.Literal('Low'), Type.Literal('High')])),
});
