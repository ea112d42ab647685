import { Command } from 'commander';
import { configFrom, STORE_SETTINGS, withSettings } from '../options.js';

/**
 * `rampart ca`: the path of the local CA's certificate on the first line (scripts read it with
 * `head -1`), then how to trust it; `--pem` prints the certificate itself. Creates the CA on first
 * use. Never prints the private key.
 */
export const caCommand = withSettings(
  new Command('ca').description("print the local certificate authority's certificate path and how to trust it (creating it if needed)").option('--pem', 'print the certificate (PEM) instead'),
  [...STORE_SETTINGS, 'host', 'port', 'tlsPort'],
).action(async (options: Record<string, unknown>) => {
  const config = configFrom(options);
  const { loadOrCreateCa } = await import('../../net/ca-store.js');
  const { ca, certificatePath } = await loadOrCreateCa(config);
  if (options.pem) {
    process.stdout.write(ca.certificate);
    return;
  }
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const proxy = `http://${host}:${config.port}`;
  const path = certificatePath;
  process.stdout.write(
    [
      path,
      '',
      "Rampart's local certificate authority. Trust it in your client, then either send the client",
      `through Rampart's proxy (${proxy}: it answers as api.securitycenter.microsoft.com and`,
      `login.microsoftonline.com itself, and forwards nothing) or call https://${host}:${config.tlsPort} (rampart serve --tls).`,
      '',
      `  Node.js      NODE_EXTRA_CA_CERTS=${path} (with HTTPS_PROXY=${proxy} for clients that read it)`,
      `  Python       REQUESTS_CA_BUNDLE=${path} (requests), SSL_CERT_FILE=${path} (httpx, urllib, aiohttp); HTTPS_PROXY=${proxy}`,
      `  curl         curl --cacert ${path} --proxy ${proxy} https://api.securitycenter.microsoft.com/api/machines`,
      `  PowerShell   Import-Certificate -FilePath ca.pem -CertStoreLocation Cert:\\CurrentUser\\Root   (Windows; then -Proxy ${proxy})`,
      '  Windows      certutil -user -addstore Root ca.pem',
      `  Java         keytool -importcert -noprompt -alias rampart-ca -file ${path} -cacerts -storepass changeit`,
      '',
      'The private key stays in the data folder (mode 600) or the database; remove it to make a new CA.',
      '',
    ].join('\n'),
  );
});
