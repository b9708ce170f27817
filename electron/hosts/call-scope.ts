import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One top-level call (an operation from the app, HTTP or the CLI, or one CLI command) and the
 * calls made inside it (a handler's, the history recorder's captures before and after a change):
 * what they may share, so that one call reads a host's files once. Nothing outlives the call: a
 * later call reads afresh (a value shared across calls could be stale), and work a call leaves
 * running in the background (history's observe) is a call of its own (inOwnCallScope).
 */
class CallScope {
  open = true;
  readonly values = new Map<object, unknown>();
}

const current = new AsyncLocalStorage<CallScope>();

/** Runs fn as one call: inside an open call it is part of that call, else it opens one (closed when fn settles). */
export async function inCallScope<T>(fn: () => Promise<T>): Promise<T> {
  if (current.getStore()?.open) return fn();
  return inOwnCallScope(fn);
}

/**
 * Runs fn as a call of its own even when started inside another (work a call leaves running in
 * the background: it shares nothing with that call, nor that call's later reads with it).
 */
export async function inOwnCallScope<T>(fn: () => Promise<T>): Promise<T> {
  const scope = new CallScope();
  try {
    return await current.run(scope, fn);
  } finally {
    scope.open = false;
    scope.values.clear();
  }
}

/** This call's value for `owner` (made on first use), or undefined outside an open call: then nothing is shared. */
export function callShared<T>(owner: object, make: () => T): T | undefined {
  const scope = current.getStore();
  if (!scope?.open) return undefined;
  if (!scope.values.has(owner)) scope.values.set(owner, make());
  return scope.values.get(owner) as T;
}
