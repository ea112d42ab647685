import { invalidInput } from '../errors.js';

export const DEVICE_VALUES = ['Normal', 'Low', 'High'] as const;
export type DeviceValue = (typeof DEVICE_VALUES)[number];

const BY_LOWER = new Map<string, DeviceValue>(DEVICE_VALUES.map((v) => [v.toLowerCase(), v]));

/**
 * Enum values match case-insensitively and are stored canonically (spec section 3 decision):
 * `high` becomes `High`. Anything else, including null, numbers and "", is InvalidInput.
 */
export function parseDeviceValue(input: unknown, parameter = 'DeviceValue'): DeviceValue {
  const value = typeof input === 'string' ? BY_LOWER.get(input.toLowerCase()) : undefined;
  if (value === undefined) {
    throw invalidInput(`The value ${describeValue(input)} is not valid for ${parameter}. Allowed values: ${DEVICE_VALUES.join(', ')}.`);
  }
  return value;
}


/**
 * Names a rejected value without echoing it whole: a client may send megabytes or deeply nested
 * arrays, and the error message must stay small and cheap to build.
 */
export function describeValue(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input.length > 64 ? `${input.slice(0, 64)}...` : input);
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'object') return 'an object';
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  return typeof input;
}
