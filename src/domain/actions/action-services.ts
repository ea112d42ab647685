import type { Clock } from '../../shared/clock.js';
import type { MachineAccess } from '../machines/machine-access.js';
import type { MachineLocks } from '../machines/tag-service.js';
import { ActionDownloads } from './action-downloads.js';
import type { ActionStore } from './action-ports.js';
import { ActionService, type OutcomeSteering } from './action-service.js';
import type { TimingPreset } from './action-timings.js';
import { DownloadLinks } from './download-links.js';
import { InvestigationService } from './investigation-service.js';

export interface ActionServices {
  readonly actions: ActionService;
  readonly investigations: InvestigationService;
  /** Absent where nothing can mint links (the CLI has no signing key of the deployment). */
  readonly downloads?: ActionDownloads;
}

export interface ActionServiceOptions {
  readonly access: MachineAccess;
  readonly store: ActionStore;
  readonly locks: MachineLocks;
  readonly clock: Clock;
  readonly defaultPreset: TimingPreset;
  /** Fault rules' say on the outcome of new actions; none for the CLI. */
  readonly steer?: OutcomeSteering;
  /** The key download links are signed with, shared by every instance. */
  readonly linkKey?: string;
}

/** The actions room's services, wired the one way the server and the CLI both use. */
export function actionServices(options: ActionServiceOptions): ActionServices {
  const { access, store, clock, defaultPreset } = options;
  const steer = options.steer ?? (() => null);
  const actions = new ActionService({ access, store, locks: options.locks, clock, defaultPreset, steer });
  const investigations = new InvestigationService({ access, store, actions, clock, defaultPreset, steer });
  const downloads = options.linkKey === undefined ? undefined : new ActionDownloads(actions, access, store, new DownloadLinks(options.linkKey, clock));
  return { actions, investigations, ...(downloads ? { downloads } : {}) };
}
