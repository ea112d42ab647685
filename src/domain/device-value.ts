import { invalidInput } from './errors.js';

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
    throw invalidInput(
      `The value ${JSON.stringify(input) ?? 'undefined'} is not valid for ${parameter}. Allowed values: ${DEVICE_VALUES.join(', ')}.`,
    );
  }
  return value;
}

export const isDeviceValue = (text: string): text is DeviceValue => BY_LOWER.get(text.toLowerCase()) === text;
