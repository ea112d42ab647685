import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries the admin key (`Bearer <key>`). Comparing fixed-length
 * digests keeps the comparison constant-time whatever the length of what was sent.
 */
export function adminKeyCheck(adminKey: string): (authorization: string | undefined) => boolean {
  const expected = digest(adminKey);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
  };
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
