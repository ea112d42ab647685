import { Type } from 'typebox';
import { ALERT_CATEGORIES, ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS, ALERT_SEVERITIES, ALERT_STATUSES, INVESTIGATION_STATES } from '../../domain/alerts/alert.js';
import { CREATE_SEVERITIES } from '../../domain/alerts/alert-create.js';
import { SETTABLE_STATUSES } from '../../domain/alerts/alert-triage.js';
import { Nullable } from './machine-schema.js';

/** The Alert entity on the wire (shared/spec/alerts.md section 2), in key order, nulls written out. */
const oneOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const DateTime = Type.String({ format: 'date-time' });
const NullableDate = Nullable(DateTime);
const NullableText = (description?: string) => Nullable(Type.String(description ? { description } : {}));

const Evidence = Type.Object({
  entityType: Type.String({ description: 'User, Process, File, Ip, Url or RegistryValue' }),
  evidenceCreationTime: DateTime,
  sha1: NullableText(),
  sha256: NullableText(),
  fileName: NullableText(),
  filePath: NullableText(),
  processId: Nullable(Type.Integer()),
  processCommandLine: NullableText(),
  processCreationTime: NullableDate,
  parentProcessId: Nullable(Type.Integer()),
  parentProcessCreationTime: NullableDate,
  parentProcessFileName: NullableText(),
  parentProcessFilePath: NullableText(),
  ipAddress: NullableText(),
  url: NullableText(),
  registryKey: NullableText(),
  registryHive: NullableText(),
  registryValueType: NullableText(),
  registryValue: NullableText(),
  accountName: NullableText(),
  domainName: NullableText(),
  userSid: NullableText(),
  aadUserId: NullableText(),
  userPrincipalName: NullableText(),
  detectionStatus: NullableText('Detected or null'),
}, { title: 'AlertEvidence' });

const alertProperties = {
  id: Type.String({ description: 'da<ticks>_<int32>, e.g. da637472900382838869_1364969609' }),
  incidentId: Nullable(Type.Integer()),
  investigationId: Nullable(Type.Integer()),
  assignedTo: NullableText('a user principal name'),
  severity: oneOf(ALERT_SEVERITIES),
  status: oneOf(ALERT_STATUSES),
  classification: NullableText(ALERT_CLASSIFICATIONS.join(', ')),
  determination: NullableText(ALERT_DETERMINATIONS.join(', ')),
  investigationState: NullableText(INVESTIGATION_STATES.join(', ')),
  detectionSource: Type.String(),
  detectorId: Type.String(),
  category: Type.String(),
  threatFamilyName: NullableText(),
  title: Type.String(),
  description: Type.String(),
  alertCreationTime: DateTime,
  firstEventTime: NullableDate,
  lastEventTime: NullableDate,
  lastUpdateTime: NullableDate,
  resolvedTime: NullableDate,
  machineId: Type.String(),
  computerDnsName: Type.String(),
  rbacGroupName: NullableText(),
  aadTenantId: Type.String({ format: 'uuid' }),
  threatName: NullableText(),
  mitreTechniques: Type.Array(Type.String()),
  relatedUser: Type.Unsafe<unknown>({ anyOf: [Type.Object({ userName: Type.String(), domainName: Type.String() }, { title: 'RelatedUser' }), { type: 'null' }] }),
  comments: Type.Array(Type.Object({ comment: Type.String(), createdBy: Type.String(), createdTime: DateTime }, { title: 'AlertComment' })),
  evidence: Type.Array(Evidence, { description: '[] in lists unless $expand=evidence' }),
};

export const AlertSchema = Type.Object(alertProperties, { $id: 'Alert' });
export const AlertEntitySchema = Type.Object({ '@odata.context': Type.String(), ...alertProperties }, { description: 'An alert in the OData entity envelope' });
// Every key optional, so `$select` answers only what was asked (see collection-wire.ts).
export const AlertCollectionSchema = Type.Object({
  '@odata.context': Type.Optional(Type.String()),
  '@odata.count': Type.Optional(Type.Integer()),
  value: Type.Optional(Type.Array(Type.Partial(Type.Object(alertProperties)))),
  '@odata.nextLink': Type.Optional(Type.String()),
});

const triage = {
  status: Type.Optional(oneOf(SETTABLE_STATUSES)),
  assignedTo: Type.Optional(Type.String({ description: 'a user principal name; null unassigns' })),
  classification: Type.Optional(oneOf(ALERT_CLASSIFICATIONS)),
  determination: Type.Optional(oneOf(ALERT_DETERMINATIONS)),
  comment: Type.Optional(Type.String({ description: 'appended with the caller and the time' })),
};
export const AlertBodies = {
  Update: Type.Object(triage, { description: 'any subset; keys are case-sensitive' }),
  BatchUpdate: Type.Object({ alertIds: Type.Array(Type.String(), { minItems: 1, maxItems: 500 }), ...triage }),
  Create: Type.Object({
    machineId: Type.String(),
    severity: oneOf(CREATE_SEVERITIES),
    title: Type.String(),
    description: Type.String(),
    recommendedAction: Type.String(),
    eventTime: DateTime,
    reportId: Type.String(),
    category: oneOf(ALERT_CATEGORIES),
  }),
};

export const AlertIdParams = Type.Object({ alertId: Type.String() });
