import { DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';

/** The `name=value` pairs a response sets, ready for a Cookie header. */
export const cookiesOf = (r: Response): string =>
  r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .filter((c) => !c.endsWith('='))
    .join('; ');

export const consoleGet = (url: string, cookie = ''): Promise<Response> => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(60_000) });

/** Signs the demo admin in to a server's console; the session cookie. */
export async function signIn(base: string): Promise<string> {
  const form = await consoleGet(`${base}/console/login`);
  const login = /name="_login" value="([^"]*)"/.exec(await form.text())?.[1] ?? '';
  const body = new URLSearchParams({ _login: login, tenant: DEMO_TENANT_ID, username: DEMO_USERS.admin.userPrincipalName, password: DEMO_USERS.admin.password });
  const signedIn = await fetch(`${base}/console/login`, { method: 'POST', redirect: 'manual', headers: { cookie: cookiesOf(form) }, body, signal: AbortSignal.timeout(60_000) });
  if (signedIn.status !== 303) throw new Error(`console sign-in failed: ${signedIn.status}`);
  return cookiesOf(signedIn);
}
