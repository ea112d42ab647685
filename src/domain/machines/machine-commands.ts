import { parseDeviceValue, type DeviceValue } from './device-value.js';
import { invalidBody, invalidInput, missingParameter } from '../errors.js';

export const MAX_TAG_LENGTH = 200;

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body);

export function requireObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw invalidBody('The request body must be a JSON object.');
  return body;
}

/**
 * `{"DeviceValue": "High"}`. Body keys are case-sensitive as documented, so `deviceValue` is
 * MissingRequiredParameter; the value itself matches case-insensitively.
 */
export function parseSetDeviceValueBody(body: unknown): DeviceValue {
  const object = requireObject(body);
  if (!Object.hasOwn(object, 'DeviceValue')) throw missingParameter('DeviceValue');
  return parseDeviceValue(object.DeviceValue);
}

export interface MachinePatch {
  deviceValue?: DeviceValue;
  machineTags?: string[];
}

/**
 * `PATCH /machines/{id}`: camelCase `machineTags` (replaces the tag set) and/or `deviceValue`.
 * A body with neither is refused rather than silently doing nothing, so a mis-cased key
 * (`DeviceValue`) cannot look like success (docs/compat.md).
 */
export function parseMachinePatch(body: unknown): MachinePatch {
  const object = requireObject(body);
  const patch: MachinePatch = {};
  if (Object.hasOwn(object, 'deviceValue')) patch.deviceValue = parseDeviceValue(object.deviceValue, 'deviceValue');
  if (Object.hasOwn(object, 'machineTags')) patch.machineTags = parseTagList(object.machineTags);
  if (patch.deviceValue === undefined && patch.machineTags === undefined) {
    throw missingParameter('machineTags or deviceValue');
  }
  return patch;
}

/** A tag: a non-empty string of at most 200 characters (spec section 4). */
export function parseTag(input: unknown, parameter = 'Value'): string {
  if (typeof input !== 'string' || input.trim() === '' || input.length > MAX_TAG_LENGTH) {
    throw invalidInput(`${parameter} must be a non-empty string of at most ${MAX_TAG_LENGTH} characters.`);
  }
  // COMPAT: control characters (NUL, line breaks, ...) are refused: no console or portal can type
  // them, and PostgreSQL text cannot hold NUL, so both backends refuse them alike.
  if (CONTROL.test(input)) throw invalidInput(`${parameter} must not contain control characters.`);
  return input;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** A whole tag set: duplicates collapse to one, first occurrence order kept. */
export function parseTagList(input: unknown): string[] {
  if (!Array.isArray(input)) throw invalidInput('machineTags must be an array of strings.');
  return [...new Set(input.map((tag) => parseTag(tag, 'Each machine tag')))];
}
