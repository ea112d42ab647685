import { Type } from 'typebox';
import { ACTION_STATUSES, ACTION_TYPES, ISOLATION_TYPES, LIVE_RESPONSE_COMMAND_TYPES, SCAN_TYPES } from '../../domain/actions/action-types.js';
import { Nullable } from './machine-schema.js';

/** The MachineAction entity on the wire (spec section 2), in key order, nulls written out. */
const oneOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
// Titles name the complex types of $metadata (odata/csdl.ts).
const Param = Type.Object({ key: Type.String(), value: Type.String() }, { title: 'KeyValuePair' });
const Command = Type.Object({
  index: Type.Integer(),
  startTime: Nullable(Type.String({ format: 'date-time' })),
  endTime: Nullable(Type.String({ format: 'date-time' })),
  commandStatus: oneOf(['Created', 'Completed', 'Failed']),
  errors: Type.Array(Type.String()),
  command: Type.Object({ type: oneOf(LIVE_RESPONSE_COMMAND_TYPES), params: Type.Array(Param) }, { title: 'LiveResponseCommand' }),
}, { title: 'MachineActionCommand' });

const actionProperties = {
  id: Type.String({ format: 'uuid' }),
  type: oneOf(ACTION_TYPES),
  title: Type.Null(),
  requestor: Type.String(),
  requestorComment: Type.String(),
  status: oneOf(ACTION_STATUSES),
  machineId: Type.String(),
  computerDnsName: Type.String(),
  creationDateTimeUtc: Type.String({ format: 'date-time' }),
  lastUpdateDateTimeUtc: Type.String({ format: 'date-time' }),
  cancellationRequestor: Nullable(Type.String()),
  cancellationComment: Nullable(Type.String()),
  cancellationDateTimeUtc: Nullable(Type.String({ format: 'date-time' })),
  errorHResult: Type.Integer(),
  scope: Nullable(Type.String()),
  externalId: Type.Null(),
  requestSource: Type.String(),
  relatedFileInfo: Type.Unsafe<unknown>({ anyOf: [Type.Object({ fileIdentifier: Type.String(), fileIdentifierType: Type.String() }, { title: 'RelatedFileInfo' }), { type: 'null' }] }),
  commands: Type.Array(Command),
  troubleshootInfo: Type.Null(),
};

export const MachineActionSchema = Type.Object(actionProperties, { $id: 'MachineAction' });
export const MachineActionEntitySchema = Type.Object({ '@odata.context': Type.String(), ...actionProperties }, { description: 'A machine action in the OData entity envelope' });
export const MachineActionCollectionSchema = Type.Object({
  '@odata.context': Type.Optional(Type.String()),
  '@odata.count': Type.Optional(Type.Integer()),
  value: Type.Optional(Type.Array(MachineActionSchema)),
  '@odata.nextLink': Type.Optional(Type.String()),
});

export const InvestigationSchema = Type.Object({
  id: Type.String(),
  startTime: Type.String({ format: 'date-time' }),
  endTime: Nullable(Type.String({ format: 'date-time' })),
  cancelledBy: Nullable(Type.String()),
  investigationState: Type.String(),
  statusDetails: Nullable(Type.String()),
  machineId: Type.String(),
  computerDnsName: Type.String(),
  triggeringAlertId: Nullable(Type.String()),
});
export const InvestigationEntitySchema = Type.Object({ '@odata.context': Type.String(), ...InvestigationSchema.properties });
export const InvestigationCollectionSchema = Type.Object({
  '@odata.context': Type.Optional(Type.String()),
  value: Type.Optional(Type.Array(InvestigationSchema)),
  '@odata.nextLink': Type.Optional(Type.String()),
});

/** `{"@odata.context": ".../$metadata#Edm.String", "value": "<url>"}`: the two download links. */
export const LinkSchema = Type.Object({ '@odata.context': Type.String(), value: Type.String() });

const Comment = Type.String({ description: 'required; the key is case-sensitive' });
export const ActionBodies = {
  Isolate: Type.Object({ Comment, IsolationType: Type.Optional(oneOf(ISOLATION_TYPES)) }),
  RunAntiVirusScan: Type.Object({ Comment, ScanType: oneOf(SCAN_TYPES) }),
  StopAndQuarantineFile: Type.Object({ Comment, Sha1: Type.String({ pattern: '^[0-9a-fA-F]{40}$' }) }),
  LiveResponse: Type.Object({
    Comment,
    Commands: Type.Array(Type.Object({ type: oneOf(LIVE_RESPONSE_COMMAND_TYPES), params: Type.Array(Param) }), { minItems: 1 }),
  }),
  CommentOnly: Type.Object({ Comment }),
};
