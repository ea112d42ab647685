import { randomBytes, randomUUID } from 'node:crypto';

/** A correlation id for one request: a GUID, as the real service uses. */
export const newRequestId = (): string => randomUUID();

/** A machine id in the real service's form: 40 lowercase hex characters. */
export const newMachineId = (): string => randomBytes(20).toString('hex');

export const isGuid = (text: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
