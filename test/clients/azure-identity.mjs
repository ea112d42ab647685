/**
 * @azure/identity's ClientSecretCredential: against login.microsoftonline.com (its default) when
 * HTTPS_PROXY points at Rampart, or against AUTHORITY_HOST directly. Prints {accessToken} as JSON.
 */
import { ClientSecretCredential } from '@azure/identity';

const { TENANT, CLIENT_ID, CLIENT_SECRET, SCOPE, AUTHORITY_HOST } = process.env;
const credential = new ClientSecretCredential(TENANT, CLIENT_ID, CLIENT_SECRET, AUTHORITY_HOST ? { authorityHost: AUTHORITY_HOST, disableInstanceDiscovery: true } : {});
const token = await credential.getToken(SCOPE, { abortSignal: AbortSignal.timeout(10_000) });
process.stdout.write(JSON.stringify({ accessToken: token.token }));
