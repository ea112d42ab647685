import { Command } from 'commander';
import { configFrom, withSettings } from '../options.js';

// The server's code (Fastify, the console, the drop-in proxy) loads only when it serves: every
// other command, `--help` and `--version` start without it.
export const serveCommand = withSettings(
  new Command('serve').description('serve the Machine API (the default command)'),
).action(async (options) => {
  // The configuration first: a bad value (--port abc, PORT=abc) is named without loading the server.
  const config = configFrom(options);
  await (await import('../../serve.js')).serve(config);
});
