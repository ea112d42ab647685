import { describeValue } from '../machines/device-value.js';
import { requireObject } from '../machines/machine-commands.js';
import { ApiError, invalidInput, missingParameter } from '../errors.js';
import { ISOLATION_TYPES, LIVE_RESPONSE_COMMAND_TYPES, SCAN_TYPES, type ActionType, type LiveResponseCommandType } from './action-types.js';
import type { CommandParam } from './machine-action.js';

/** Longest comment kept; the portal's own box is far shorter. */
export const MAX_COMMENT_LENGTH = 4000;
/** Most commands one live-response request may carry. */
export const MAX_COMMANDS = 20;

/** A live-response command as requested, before Rampart decides what it will do. */
export interface RequestedCommand {
  readonly type: LiveResponseCommandType;
  readonly params: readonly CommandParam[];
}

/** What an action request carries, whatever its type. */
export interface ActionRequest {
  readonly type: ActionType;
  readonly comment: string;
  readonly scope: string | null;
  readonly sha1: string | null;
  readonly commands: readonly RequestedCommand[];
}

/**
 * The body of an action request (spec section 1). Keys are case-sensitive, as everywhere in the
 * Machine API, so `comment` is `MissingRequiredParameter`; enum values match without case and are
 * stored canonically, as DeviceValue's are.
 */
export function parseActionRequest(type: ActionType, body: unknown): ActionRequest {
  const object = requireObject(body);
  const comment = parseComment(object);
  const base = { type, comment, scope: null, sha1: null, commands: [] };
  switch (type) {
    case 'Isolate':
      return { ...base, scope: Object.hasOwn(object, 'IsolationType') ? member('IsolationType', object.IsolationType, ISOLATION_TYPES) : 'Full' };
    case 'RunAntiVirusScan':
      if (!Object.hasOwn(object, 'ScanType')) throw missingParameter('ScanType');
      return { ...base, scope: member('ScanType', object.ScanType, SCAN_TYPES) };
    case 'StopAndQuarantineFile':
      return { ...base, sha1: parseSha1(object) };
    case 'LiveResponse':
      return { ...base, commands: parseCommands(object) };
    default:
      return base;
  }
}

/** `{"Comment": "..."}`: cancel and startInvestigation take only this. */
export function parseComment(object: Record<string, unknown>): string {
  if (!Object.hasOwn(object, 'Comment')) throw missingParameter('Comment');
  const comment = object.Comment;
  if (typeof comment !== 'string' || comment.trim() === '') throw invalidInput('Comment must be a non-empty string.');
  if (comment.length > MAX_COMMENT_LENGTH) throw invalidInput(`Comment must be at most ${MAX_COMMENT_LENGTH} characters.`);
  return comment;
}

function member<T extends string>(parameter: string, input: unknown, allowed: readonly T[]): T {
  const found = typeof input === 'string' ? allowed.find((a) => a.toLowerCase() === input.toLowerCase()) : undefined;
  if (found === undefined) throw invalidInput(`The value ${describeValue(input)} is not valid for ${parameter}. Allowed values: ${allowed.join(', ')}.`);
  return found;
}

function parseSha1(object: Record<string, unknown>): string {
  if (!Object.hasOwn(object, 'Sha1')) throw missingParameter('Sha1');
  const sha1 = object.Sha1;
  if (typeof sha1 !== 'string' || !/^[0-9a-fA-F]{40}$/.test(sha1)) {
    throw new ApiError('InvalidHashValue', `The value ${describeValue(sha1)} is not a valid SHA-1 hash: 40 hexadecimal characters.`);
  }
  return sha1.toLowerCase();
}

/** The parameter each command type needs (spec section 4), matched without case. */
const REQUIRED_PARAM: Readonly<Record<LiveResponseCommandType, string>> = { PutFile: 'FileName', RunScript: 'ScriptName', GetFile: 'Path' };

function parseCommands(object: Record<string, unknown>): RequestedCommand[] {
  if (!Object.hasOwn(object, 'Commands')) throw missingParameter('Commands');
  const commands = object.Commands;
  if (!Array.isArray(commands) || commands.length === 0) throw invalidInput('Commands must be a non-empty array of commands.');
  if (commands.length > MAX_COMMANDS) throw invalidInput(`Commands may hold at most ${MAX_COMMANDS} commands.`);
  return commands.map((command, index) => {
    const c = requireObject(command);
    if (!Object.hasOwn(c, 'type')) throw missingParameter(`Commands[${index}].type`);
    const type = member(`Commands[${index}].type`, c.type, LIVE_RESPONSE_COMMAND_TYPES);
    const params = parseParams(c.params, index);
    const needed = REQUIRED_PARAM[type];
    if (!params.some((p) => p.key.toLowerCase() === needed.toLowerCase())) throw missingParameter(`Commands[${index}].params ${needed}`);
    return { type, params };
  });
}

function parseParams(input: unknown, index: number): CommandParam[] {
  if (input === undefined) return [];
  if (!Array.isArray(input) || input.length > 20) throw invalidInput(`Commands[${index}].params must be an array of {"key", "value"} pairs.`);
  return input.map((param) => {
    const p = typeof param === 'object' && param !== null && !Array.isArray(param) ? (param as Record<string, unknown>) : {};
    const { key, value } = p;
    if (typeof key !== 'string' || key === '' || key.length > 100 || typeof value !== 'string' || value.length > 4000) {
      throw invalidInput(`Commands[${index}].params must be an array of {"key", "value"} pairs of strings.`);
    }
    return { key, value };
  });
}

/** The value of a command's parameter, its key matched without case. */
export const paramValue = (params: readonly CommandParam[], key: string): string | undefined =>
  params.find((p) => p.key.toLowerCase() === key.toLowerCase())?.value;
