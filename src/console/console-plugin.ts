import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import staticFiles from '@fastify/static';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyPluginAsync } from 'fastify';
import type { ConsoleDeps } from './console-deps.js';
import { registerSessionHooks } from './console-context.js';
import { registerConsoleErrors } from './console-errors.js';
import { rulesRoutes } from './rules-routes.js';
import { actionRoutes } from './action-routes.js';
import { activityRoutes } from './activity-routes.js';
import { alertRoutes } from './alert-routes.js';
import { signInRoutes, signOutRoutes } from './auth-routes.js';
import { deviceRoutes } from './device-routes.js';
import { FORMAT } from './format.js';
import { inventoryRoutes } from './inventory-routes.js';
import { ConsoleSessions } from './console-sessions.js';
import { SessionCodec } from './session.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { testingRoutes } from './testing-routes.js';

/** web/ sits at the repository root: two levels above src/console, three above dist/src/console. */
function webRoot(): string {
  for (const up of ['../../web/', '../../../web/']) {
    const path = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${path}templates`)) return path;
  }
  throw new Error('the console templates (web/templates) were not found');
}

// htmx comes from its npm package, served by us: the console never loads a script from elsewhere.
const HTMX = readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));

/**
 * The web console under /console: server-rendered pages (eta) with htmx for partial updates,
 * acting for a signed-in user through the same services, operation table and policy as the
 * Machine API. Helmet, the form parser and the error pages are scoped to this plugin, so the
 * API's wire behaviour is untouched.
 */
export const consolePlugin: FastifyPluginAsync<ConsoleDeps> = async (app, options) => {
  // Fastify hands the plugin its register options, prefix included; the child plugins must not inherit it twice.
  const { prefix: _prefix, ...deps } = options as ConsoleDeps & { prefix?: string };
  const web = webRoot();
  const codec = new SessionCodec(deps.sessionSecret);
  const sessions = new ConsoleSessions(codec, deps.sessions, deps.clock);

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  await app.register(view, {
    engine: { eta: new Eta({ autoEscape: true, autoTrim: [false, 'nl'] }) },
    root: `${web}templates`,
    // Templates compile once per process: pages must render in a few milliseconds.
    production: true,
    defaultContext: { f: FORMAT },
  });
  registerConsoleErrors(app);

  // Public: assets and the sign-in form. Everything else sits behind the session hooks.
  await app.register(async (assets) => {
    await assets.register(staticFiles, { root: `${web}static`, prefix: '/static/', decorateReply: false, maxAge: '1h' });
    assets.get('/static/htmx.min.js', async (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(HTMX),
    );
  });
  await app.register(signInRoutes, { deps, codec, sessions, throttle: new SignInThrottle(deps.clock) });
  await app.register(async (pages) => {
    registerSessionHooks(pages, deps, codec, sessions);
    await pages.register(signOutRoutes, { sessions });
    await pages.register(inventoryRoutes, deps);
    await pages.register(deviceRoutes, deps);
    await pages.register(actionRoutes, deps);
    await pages.register(alertRoutes, deps);
    await pages.register(testingRoutes, deps);
    if (deps.rules) await pages.register(rulesRoutes, { ...deps, rules: deps.rules });
    if (deps.audit) await pages.register(activityRoutes, { ...deps, audit: deps.audit });
  });
};
