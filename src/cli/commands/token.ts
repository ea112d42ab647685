import { Command } from 'commander';
import { DEMO_APP, DEMO_TENANT_ID } from '../../config/demo.js';
import { MACHINE_API_RESOURCES } from '../../auth/resources.js';
import { configFrom, STORE_SETTINGS, withSettings } from '../options.js';
import { printJson } from '../output.js';
import { tenantArg } from './shared.js';

export const tokenCommand = withSettings(
  new Command('token')
    .description("print an access token for an application of a tenant (default: the demo application), signed with the server's keys")
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--client-id <id>', 'application (client) id', DEMO_APP.clientId)
    .option('--user <upn>', 'a delegated token for this user (with the application\'s delegated permissions)')
    .option('--resource <uri>', 'audience', MACHINE_API_RESOURCES[0])
    .option('--json', 'print the token response as JSON'),
  [...STORE_SETTINGS, 'issuer', 'demo', 'demoMachines', 'tenantFiles'],
).action(async (options) => {
  const config = configFrom(options);
  const { createCore } = await import('../../core.js');
  const core = await createCore(config, undefined, { provision: true });
  try {
    const tenantId: string = options.tenant;
    const app = await core.store.getApplication(tenantId, String(options.clientId).toLowerCase());
    if (!app) throw new Error(`no application ${options.clientId} in tenant ${tenantId}`);
    const request = { tenantId, clientId: app.clientId, appName: app.name, audience: options.resource };
    let issued;
    if (options.user) {
      const user = await core.store.getUserByPrincipalName(tenantId, options.user);
      if (!user) throw new Error(`no user ${options.user} in tenant ${tenantId}`);
      const scopes = [...app.delegatedPermissions];
      issued = await core.issuer.issueUserToken({ ...request, confidential: app.secretHash !== null, userId: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName, scopes });
    } else {
      issued = await core.issuer.issueAppToken({ ...request, roles: app.roles });
    }
    if (options.json) printJson({ token_type: 'Bearer', expires_on: issued.expiresAt, access_token: issued.accessToken });
    else process.stdout.write(`${issued.accessToken}\n`);
  } finally {
    await core.close();
  }
});
