import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { EXPOSURE_LEVELS, HEALTH_STATUSES, RISK_SCORES } from '../domain/machines/machine.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, signedIn } from './console-context.js';
import { allows } from './console-principal.js';
import { COUNT_LIMIT, readInventory } from './inventory-reader.js';
import { FIRST_PAGE, ISOLATION_FACETS, PAGE_SIZES, parseInventoryView, SORT_KEYS, sortLink, VALUE_ORDER, viewQuery, type InventoryView, type SortKey } from './inventory-view.js';
import { bulkRoutes } from './bulk-routes.js';
import { exportRoutes } from './export-routes.js';

/** The osPlatform values Defender reports; one in a shared link that is not listed still filters. */
const PLATFORMS = [
  'Windows10', 'Windows11', 'WindowsServer2012R2', 'WindowsServer2016', 'WindowsServer2019', 'WindowsServer2022', 'WindowsServer2025',
  'Linux', 'macOS', 'iOS', 'Android',
];

const SORT_LABELS: Readonly<Record<SortKey, string>> = { name: 'Name', value: 'Device value', health: 'Health', risk: 'Risk', exposure: 'Exposure', lastSeen: 'Last seen' };

/** Messages a redirect back to the inventory may ask for (never text from the URL itself). */
const DONE: Readonly<Record<string, string>> = {
  moved: 'The device moved to a device group you cannot see.',
};

/** htmx asks for the inventory region only; a history restore or a plain GET gets the whole page. */
const wantsRegion = (request: FastifyRequest): boolean =>
  request.headers['hx-request'] === 'true' && request.headers['hx-target'] === 'inventory' && request.headers['hx-history-restore-request'] !== 'true';

async function visibleGroups(deps: ConsoleDeps, principal: DelegatedPrincipal): Promise<{ id: number; name: string }[]> {
  const [groups, visible] = await Promise.all([deps.policy.deviceGroups(principal.tenantId), deps.policy.visibleGroups(principal)]);
  return groups.filter((g) => visible === null || visible.includes(g.id)).map((g) => ({ id: g.id, name: g.name }));
}

export const inventoryRoutes: FastifyPluginAsync<ConsoleDeps> = async (app, deps) => {
  app.get('/', async (_request, reply) => reply.code(303).header('location', '/console/machines').send());

  app.get('/machines', async (request, reply) => {
    const { principal, csrf } = signedIn(request);
    const view: InventoryView = parseInventoryView(request.query as Record<string, unknown>);
    const result = await readInventory(deps, principal, view);
    // A stale cursor (its machine gone or hidden) showed the first page: the link says so.
    const shown = result.first ? { ...view, ...FIRST_PAGE } : view;
    const model = {
      title: 'Devices',
      nav: 'machines',
      csrf,
      view: shown,
      result,
      back: viewQuery(shown),
      csvHref: `/console/machines.csv${viewQuery(shown, FIRST_PAGE)}`,
      link: (changes: Partial<InventoryView>) => `/console/machines${viewQuery(shown, changes)}`,
      // Every filter change starts again at the first page.
      firstPage: FIRST_PAGE,
      countLimit: COUNT_LIMIT,
      sortLink: (key: SortKey) => `/console/machines${sortLink(shown, key)}`,
      ariaSort: (key: SortKey) => (shown.sort === key ? (shown.dir === 'asc' ? 'ascending' : 'descending') : 'none'),
      sortKeys: Object.keys(SORT_KEYS) as SortKey[],
      sortLabels: SORT_LABELS,
      canSetValue: await allows(deps.policy, principal, 'SetDeviceValue'),
      groups: await visibleGroups(deps, principal),
      options: {
        values: VALUE_ORDER,
        health: HEALTH_STATUSES,
        risk: RISK_SCORES,
        exposure: EXPOSURE_LEVELS,
        platforms: [...PLATFORMS, ...view.os.filter((o) => !PLATFORMS.includes(o))],
        isolation: ISOLATION_FACETS,
        sizes: PAGE_SIZES,
      },
      done: DONE[String((request.query as Record<string, unknown>).done)] ?? '',
      now: deps.clock.now(),
    };
    reply.header('vary', 'HX-Request, HX-Target');
    if (wantsRegion(request)) {
      // The address bar shows the canonical link of the view, not the raw form fields.
      reply.header('hx-push-url', `/console/machines${model.back}`);
      return reply.type('text/html; charset=utf-8').viewAsync('partials/inventory', model);
    }
    return page(request, reply, 'machines', model);
  });

  await app.register(bulkRoutes, deps);
  await app.register(exportRoutes, deps);
};
