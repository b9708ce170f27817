/**
 * One shape for everything a store loads: not asked yet, on its way, there, or failed with the
 * API's error code and message (the same for every page, so one view can show any of them).
 */
export type LoadError = { state: 'error'; code: string; message: string };
export type Load<T> = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; value: T } | LoadError;

/** A thrown ApiError (or anything else) as a Load's error state. */
export function errorOf(e: unknown): LoadError {
  const err = e as { code?: unknown; message?: unknown } | null | undefined;
  return {
    state: 'error',
    code: typeof err?.code === 'string' ? err.code : 'INTERNAL',
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}

/** Runs `fn` and hands its outcome to `put` as a Load (loading first, then ready or error). */
export async function loadInto<T>(put: (l: Load<T>) => void, fn: () => Promise<T>): Promise<void> {
  put({ state: 'loading' });
  try {
    put({ state: 'ready', value: await fn() });
  } catch (e) {
    put(errorOf(e));
  }
}
