import { describeValue } from './device-value.js';
import { ApiError, invalidInput, missingParameter } from '../errors.js';
import { parseTag, requireObject } from './machine-commands.js';

/** Most machines one AddOrRemoveTagForMultipleMachines call may name (spec section 4). */
export const MAX_BULK_MACHINES = 500;

export type TagAction = 'Add' | 'Remove';
const ACTIONS: readonly TagAction[] = ['Add', 'Remove'];

export interface TagCommand {
  readonly tag: string;
  readonly action: TagAction;
}

export interface BulkTagCommand extends TagCommand {
  /** As sent: ids, aadDeviceIds or computer names, in order, duplicates kept. */
  readonly machineIds: readonly string[];
}


/**
 * `{"Value": "tag", "Action": "Add" | "Remove"}`. Keys are case-sensitive, like setDeviceValue's;
 * the action matches without case (`add`), as enum values do everywhere in Rampart.
 */
export function parseTagCommand(body: unknown): TagCommand {
  const object = requireObject(body);
  if (!Object.hasOwn(object, 'Value')) throw missingParameter('Value');
  if (!Object.hasOwn(object, 'Action')) throw missingParameter('Action');
  const tag = parseTag(object.Value, 'Value');
  const action = typeof object.Action === 'string' ? ACTIONS.find((a) => a.toLowerCase() === (object.Action as string).toLowerCase()) : undefined;
  if (!action) throw invalidInput(`The value ${describeValue(object.Action)} is not valid for Action. Allowed values: ${ACTIONS.join(', ')}.`);
  return { tag, action };
}

/** `{"Value", "Action", "MachineIds": [...]}` with at most 500 ids. */
export function parseBulkTagCommand(body: unknown): BulkTagCommand {
  const object = requireObject(body);
  const command = parseTagCommand(object);
  if (!Object.hasOwn(object, 'MachineIds')) throw missingParameter('MachineIds');
  const ids = object.MachineIds;
  if (!Array.isArray(ids)) throw invalidInput('MachineIds must be an array of machine ids.');
  if (ids.length > MAX_BULK_MACHINES) {
    throw new ApiError('MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${ids.length}, allowed: ${MAX_BULK_MACHINES}.`);
  }
  if (!ids.every((id) => typeof id === 'string' && id.trim() !== '' && id.length <= 1024)) {
    throw invalidInput('MachineIds must be an array of machine ids (non-empty strings).');
  }
  return { ...command, machineIds: ids as string[] };
}

/** The tag set after the action: adding a tag it has keeps one; removing one it lacks changes nothing. */
export function applyTagAction(tags: readonly string[], { tag, action }: TagCommand): string[] {
  if (action === 'Remove') return tags.filter((t) => t !== tag);
  return tags.includes(tag) ? [...tags] : [...tags, tag];
}
