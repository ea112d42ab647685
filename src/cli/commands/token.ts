import { Command } from 'commander';
import { createCore } from '../../app.js';
import { DEMO_APP, DEMO_TENANT_ID } from '../../config/demo.js';
import { MACHINE_API_RESOURCES } from '../../auth/resources.js';
import { configFrom, withSettings } from '../options.js';
import { tenantArg } from './shared.js';
import { printJson } from '../output.js';

export const tokenCommand = withSettings(
  new Command('token')
    .description("print an access token for an application of a tenant (default: the demo application), signed with the server's keys")
    .option('--tenant <id>', 'tenant id', tenantArg, DEMO_TENANT_ID)
    .option('--client-id <id>', 'application (client) id', DEMO_APP.clientId)
    .option('--resource <uri>', 'audience', MACHINE_API_RESOURCES[0])
    .option('--json', 'print the token response as JSON'),
).action(async (options) => {
  const core = await createCore(configFrom(options));
  try {
    const tenantId = options.tenant;
    const app = await core.store.getApplication(tenantId, String(options.clientId).toLowerCase());
    if (!app) throw new Error(`no application ${options.clientId} in tenant ${tenantId}`);
    const issued = await core.issuer.issueAppToken({ tenantId, clientId: app.clientId, appName: app.name, audience: options.resource, roles: app.roles });
    if (options.json) printJson({ token_type: 'Bearer', expires_on: issued.expiresAt, access_token: issued.accessToken });
    else process.stdout.write(`${issued.accessToken}\n`);
  } finally {
    await core.store.close();
  }
});
