import type { EntitySetDefinition } from '../odata/csdl.js';
import { InvestigationSchema, MachineActionSchema } from './action-schema.js';
import { AlertSchema } from './alert-schema.js';
import { MachineSchema } from './machine-schema.js';

/**
 * The entity sets `$metadata` declares: what `@odata.context` names. Serving a new entity adds
 * its line here, with the wire schema its routes serialise with.
 */
export const ENTITY_SETS: readonly EntitySetDefinition[] = [
  { set: 'Machines', type: 'Machine', schema: MachineSchema, key: 'id' },
  { set: 'MachineActions', type: 'MachineAction', schema: MachineActionSchema, key: 'id' },
  { set: 'Investigations', type: 'Investigation', schema: InvestigationSchema, key: 'id' },
  { set: 'Alerts', type: 'Alert', schema: AlertSchema, key: 'id' },
];
