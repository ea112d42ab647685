import type { AccessPolicy } from './access-policy.js';

/**
 * The console acts as a first-party application signed in on the user's behalf: its changes are
 * recorded with this app id and the user's id, like a delegated API call.
 */
export const CONSOLE_APP_ID = 'rampart-console';
export const CONSOLE_APP_NAME = 'Rampart console';

/** Who made a change, as recorded: an application and, for a delegated call, a user. */
export interface Actor {
  readonly appId: string | null;
  readonly userId: string | null;
}

/**
 * The names of who did something, the same in the console, the CLI and the admin API: users by
 * principal name, applications by display name (the console itself as "Rampart console"), and
 * the id where the directory no longer knows it. Exports carry the id beside the name.
 */
export class ActorNames {
  constructor(
    readonly users: ReadonlyMap<string, string>,
    readonly apps: ReadonlyMap<string, string>,
  ) {}

  /** From the access policy's cached directory of the tenant, not the store. */
  static async of(policy: AccessPolicy, tenantId: string): Promise<ActorNames> {
    const names = await policy.names(tenantId);
    names.apps.set(CONSOLE_APP_ID, CONSOLE_APP_NAME);
    return new ActorNames(names.users, names.apps);
  }

  userName(userId: string | null): string | null {
    return userId === null ? null : (this.users.get(userId) ?? null);
  }

  appName(appId: string | null): string | null {
    return appId === null ? null : (this.apps.get(appId) ?? null);
  }
}

/** An actor with its names already looked up (a HistoryEntry is one). */
export interface NamedActor extends Actor {
  readonly userPrincipalName: string | null;
  readonly appName: string | null;
}

/** One name for a change: the user when there is one, else the application, else "system" (seed, import, CLI). */
export function whoOf(actor: NamedActor): string {
  if (actor.userId) return actor.userPrincipalName ?? actor.userId;
  if (actor.appId) return actor.appName ?? actor.appId;
  return 'system';
}
