/**
 * A process-wide thing started on first use: every caller gets the same
 * promise; if starting fails, the next caller tries again.
 */
export function lazily<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    started ??= start().catch((error: unknown) => {
      started = undefined;
      throw error;
    });
    return started;
  };
}
