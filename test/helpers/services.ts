import { connect } from 'node:net';

/** Whether something listens on 127.0.0.1:port, answered within a second. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The `skip` option for tests that need a local service: false when it is up; otherwise the
 * reason, printed by the runner. CI sets RAMPART_REQUIRE_SERVICES, and then a missing service
 * fails the run instead of skipping quietly.
 */
export async function skipUnless(service: string, port: number, howToStart: string): Promise<string | false> {
  if (await listening(port)) return false;
  if (process.env.RAMPART_REQUIRE_SERVICES) throw new Error(`${service} is required (RAMPART_REQUIRE_SERVICES) but nothing listens on 127.0.0.1:${port}`);
  return `${service} is not running on 127.0.0.1:${port} (${howToStart})`;
}

export const REDIS_URL = 'redis://127.0.0.1:6379';

export const skipWithoutRedis = (): Promise<string | false> => skipUnless('Redis', 6379, 'redis-server --daemonize yes');
