import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

// scrypt with a per-secret salt: a stolen database does not give away client secrets.
const KEY_LENGTH = 32;
const COST = { N: 4096, r: 8, p: 1 };

export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  return `scrypt:${salt.toString('base64url')}:${scryptSync(secret, salt, KEY_LENGTH, COST).toString('base64url')}`;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function verifySecret(secret: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split(':');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(secret, Buffer.from(salt, 'base64url'), KEY_LENGTH, COST);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// Checked against when the user does not exist, so both failures cost the same scrypt work.
const NO_SUCH_USER = hashSecret('rampart-no-such-user');

/**
 * A user's password check, for the password grant and the console alike: the same answer, after
 * the same work, for an unknown user and a wrong password, so neither the answer nor the time it
 * takes tells whether a user exists. A user without a password never signs in.
 */
export function verifyUserPassword<U extends { readonly passwordHash: string | null }>(user: U | undefined, password: string): U | undefined {
  const valid = verifySecret(password, user?.passwordHash ?? NO_SUCH_USER) && user?.passwordHash != null;
  return valid ? user : undefined;
}
