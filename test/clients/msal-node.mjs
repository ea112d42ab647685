/**
 * msal-node as an integration would use it: a confidential client, acquireTokenByClientCredential,
 * then the Machine API with Node's own fetch. With HTTPS_PROXY set, every request goes through it
 * (undici's EnvHttpProxyAgent as the global dispatcher, since msal-node uses fetch), as
 * docs/drop-in.md says; NODE_EXTRA_CA_CERTS trusts the CA.
 * Prints {accessToken, status, body} as JSON.
 */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { EnvHttpProxyAgent, setGlobalDispatcher } from 'undici';

const { AUTHORITY, KNOWN_AUTHORITY, CLIENT_ID, CLIENT_SECRET, SCOPE, API, MACHINE, HTTPS_PROXY } = process.env;
if (HTTPS_PROXY) setGlobalDispatcher(new EnvHttpProxyAgent());
const app = new ConfidentialClientApplication({
  auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authority: AUTHORITY, ...(KNOWN_AUTHORITY ? { knownAuthorities: [KNOWN_AUTHORITY] } : {}) },
});
const result = await app.acquireTokenByClientCredential({ scopes: [SCOPE] });
const response = await fetch(`${API}/api/machines/${MACHINE}/setDeviceValue`, {
  method: 'POST',
  headers: { authorization: `Bearer ${result.accessToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ DeviceValue: 'Low' }),
  signal: AbortSignal.timeout(10_000),
});
process.stdout.write(JSON.stringify({ accessToken: result.accessToken, status: response.status, body: await response.json() }));
