import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** A correlation id for one request: a GUID, as the real service uses. */
export const newRequestId = (): string => randomUUID();

export const newGuid = (): string => randomUUID();

/** A machine id in the real service's form: 40 lowercase hex characters. */
export const newMachineId = (): string => randomBytes(20).toString('hex');

export const isGuid = (text: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);

/** A GUID derived from a name, so the same name gives the same id on every instance and run. */
export function stableGuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
