import closeWithGrace from 'close-with-grace';
import { createApp } from './app.js';
import type { Config } from './config/settings.js';
import { DEMO_APP, DEMO_TENANT_ID, REFERENCE_MACHINE } from './config/demo.js';
import { describeStore } from './store/open-store.js';
import { acquireServeLock } from './store/serve-lock.js';

/** Starts the server, prints the banner, and closes gracefully on SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<void> {
  const lock = acquireServeLock(config);
  // However the process ends short of a crash, the lock goes with it (a crash leaves a stale one).
  process.once('exit', () => lock?.release());
  const app = await createApp(config).catch((error: unknown) => {
    lock?.release();
    throw error;
  });
  closeWithGrace({ delay: config.shutdownTimeout }, async ({ signal, err }) => {
    if (err) app.server.log.error({ err }, 'shutting down after an error');
    else app.server.log.info({ signal }, 'shutting down');
    await app.close();
    lock?.release();
  });
  const address = await app.server.listen({ port: config.port, host: config.host });
  const port = new URL(address).port;
  const local = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const base = config.publicUrl || `http://${local}:${port}`;
  const tlsPort = config.tls ? await app.dropIn.listenTls(config.tlsPort, config.host) : undefined;
  // stdout is the JSON log (one object a line, for collectors); the banner is for a person at a
  // terminal, so it goes to stderr, and only when that is a terminal.
  if (process.stderr.isTTY) {
    process.stderr.write(banner(base, config, { proxy: `http://${local}:${port}`, https: tlsPort === undefined ? undefined : `https://${local}:${tlsPort}` }));
  }
  app.server.log.info({ url: base, https: tlsPort === undefined ? undefined : `https://${local}:${tlsPort}`, data: describeStore(config) }, `Rampart listening on ${base}`);
}

function banner(base: string, config: Config, urls: { proxy: string; https: string | undefined }): string {
  const lines = [
    '',
    `Rampart Machine API listening on ${base}`,
    `  API docs        ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  console         ${base}/console${config.demo ? '   (sign in as admin@rampart.demo / rampart-admin)' : ''}`,
    `  data            ${describeStore(config)}`,
  ];
  if (urls.https) lines.push(`  HTTPS           ${urls.https}${config.tlsCert ? '' : '   (trust the local CA: rampart ca)'}`);
  if (config.proxy) lines.push(`  proxy           HTTPS_PROXY=${urls.proxy} reaches Rampart as api.securitycenter.microsoft.com, login.microsoftonline.com, ... (docs/drop-in.md)`);
  if (config.demo) {
    lines.push(
      `  demo tenant     ${DEMO_TENANT_ID}`,
      `  client id       ${DEMO_APP.clientId}`,
      `  client secret   ${DEMO_APP.clientSecret}`,
      '',
      'Try it:',
      `  TOKEN=$(curl -s ${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token -d grant_type=client_credentials -d client_id=${DEMO_APP.clientId} -d client_secret=${DEMO_APP.clientSecret} -d scope=https://api.securitycenter.microsoft.com/.default | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
      `  curl -s -X POST ${base}/api/machines/${REFERENCE_MACHINE.id}/setDeviceValue -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"DeviceValue":"High"}'`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
