import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as inventory from './0002-inventory.js';
import * as identity from './0003-identity.js';
import * as traffic from './0004-traffic.js';
import * as consoleIndexes from './0005-console-indexes.js';
import * as consoleSessions from './0006-console-sessions.js';
import * as sharedState from './0007-shared-state.js';
import * as machineCounts from './0008-machine-counts.js';
import * as consoleNameOrder from './0009-console-name-order.js';
import * as machineActions from './0010-machine-actions.js';
import * as alerts from './0011-alerts.js';
import * as auditIndexes from './0012-audit-indexes.js';
import * as valueRules from './0013-value-rules.js';
import * as listVersions from './0014-list-versions.js';
import * as alertsFetchStatistics from './0015-alerts-fetch-statistics.js';
import * as coveringScopeIndexes from './0016-covering-scope-indexes.js';
import * as machineValues from './0017-machine-values.js';

/**
 * The numbered migrations, in order. Imported statically (not read from a folder) so they work
 * the same from the TypeScript sources and from the build; add a new file and a line here.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-inventory': inventory,
  '0003-identity': identity,
  '0004-traffic': traffic,
  '0005-console-indexes': consoleIndexes,
  '0006-console-sessions': consoleSessions,
  '0007-shared-state': sharedState,
  '0008-machine-counts': machineCounts,
  '0009-console-name-order': consoleNameOrder,
  '0010-machine-actions': machineActions,
  '0011-alerts': alerts,
  '0012-audit-indexes': auditIndexes,
  '0013-value-rules': valueRules,
  '0014-list-versions': listVersions,
  '0015-alerts-fetch-statistics': alertsFetchStatistics,
  '0016-covering-scope-indexes': coveringScopeIndexes,
  '0017-machine-values': machineValues,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
