/** Messages between the store (main thread) and the checkpoint thread. */
export interface CheckpointerData {
  readonly path: string;
}

/** A checkpoint that could not copy every frame (a reader held some) copies the rest next time. */
export type CheckpointReply = { readonly ok: true } | { readonly ok: false; readonly message: string };
