import type { ActionTimingsSpec } from './action-timings.js';

/** A file of the tenant's live-response library: what PutFile places and RunScript runs. */
export interface LibraryFile {
  readonly name: string;
  readonly description?: string;
  /** The file's text; generated from its name when absent. */
  readonly content?: string;
}

/** What a tenant document says about machine actions (`actions:`). */
export interface TenantActionSettings {
  readonly timings?: ActionTimingsSpec;
  readonly library?: readonly LibraryFile[];
}

/** A library file by name, matched without case as Windows file names are. */
export const libraryFile = (settings: TenantActionSettings | undefined, name: string): LibraryFile | undefined =>
  settings?.library?.find((f) => f.name.toLowerCase() === name.toLowerCase());
