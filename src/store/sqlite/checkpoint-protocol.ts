/** Messages between the store (main thread) and the checkpoint thread. */
export interface CheckpointerData {
  readonly path: string;
}

/** `complete`: every frame of the WAL is in the database file, so the next write restarts the WAL. */
export type CheckpointReply = { readonly ok: true; readonly complete: boolean } | { readonly ok: false; readonly message: string };
