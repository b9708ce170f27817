import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiError } from '../../shared/api/api-error';
import type { Api, HostDeckEvent } from '../../shared/api/contract';
import type { LazyRuntime } from './lazy-runtime';
import type { LocalHostOptions } from '../hosts/registry';
import type { HandlerEvents, HostList } from '../api/context';

/**
 * What a command that calls the API loads, on its first call: the runtime with every handler
 * and the contract's schemas. Loaded then, not at start, so that `hostdeck --version` and
 * `--help` start as fast as Node does (issue #22). Its remote hosts and history come with the
 * first call that needs them (lazy-runtime.ts).
 */
async function loadRuntime() {
  const [{ LazyRuntime }, { persistSeconds }] = await Promise.all([import('./lazy-runtime'), import('../hosts/ssh/control-dir')]);
  return (local: LocalHostOptions | undefined) => new LazyRuntime({ mode: 'cli', local, remote: { persistMasters: persistSeconds() }, historyReads: false });
}

/**
 * "FILE" or "NAME=FILE" naming a regular file: a snapshot or import file, read as `compare` reads
 * it. A directory that happens to carry a saved host's name stays that host.
 */
function isImportArg(host: string): boolean {
  const eq = /^([^=/]+)=(.+)$/.exec(host);
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  return isFile(host) || (!!eq && isFile(eq[2]!));
}

/**
 * What a feature's CLI commands get: the typed API (same handlers as the UI, in-process) and
 * one way to print results. Every data command takes --json; errors go to stderr, exit 1.
 */
export interface CliContext {
  /**
   * The in-process API. Calls go to the host named by the global --host (a saved host, any ssh
   * destination, or a snapshot/import file as `compare` takes it, read-only) unless `only.local`;
   * otherwise to the local host (options such as --root applied).
   */
  api(local?: LocalHostOptions, only?: { local?: boolean }): Api;
  /**
   * A runtime of its own for a command that registers hosts as it goes (compare's FILE
   * arguments): its API, host list and events. Disposed with the context (or earlier, by the caller).
   */
  runtime(local?: LocalHostOptions): Promise<CliRuntime>;
  /** The global --host (set before a command runs). */
  host: string | undefined;
  /** Prints `data` as JSON when --json was given, else as the human text `human` returns. */
  print<T>(data: T, json: boolean, human: (d: T) => string): void;
  /** Reports an error on stderr and sets a non-zero exit code. */
  fail(e: unknown): void;
  /**
   * A command's action with the one error path: whatever `fn` throws is reported by `fail`
   * (after `explain`, which may put it in the command's own words), never an unhandled rejection.
   */
  action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void, explain?: (e: unknown) => unknown): (...args: A) => Promise<void>;
  /**
   * A warning about output that also carries it as comments (an export piped to kubectl): on
   * stderr when stdout is not a terminal, so that a pipeline still shows it.
   */
  warnPiped(message: string): void;
  /** A line for the user on stderr (what is about to happen), never mixed into the data on stdout. */
  note(message: string): void;
  /** Disposes everything the command created (bus connections, watchers). */
  dispose(): Promise<void>;
}

export interface CliRuntime {
  readonly api: Api;
  readonly hostList: HostList;
  /** Its pushed events, as the UI gets them (`firewall denied --follow` listens to them). */
  readonly events: HandlerEvents & { subscribe(listener: (e: HostDeckEvent) => void): () => void };
  dispose(): Promise<void>;
}

export type RegisterCommands = (program: Command, cli: CliContext) => void;

export function createCliContext(out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): CliContext {
  // Runtimes being made (each a dynamic import away): dispose() waits for them too.
  const runtimes: Promise<LazyRuntime>[] = [];
  const newRuntime = (local: LocalHostOptions | undefined): Promise<LazyRuntime> => {
    const rt = loadRuntime().then((make) => make(local));
    runtimes.push(rt);
    return rt;
  };
  const cli: CliContext = {
    host: undefined,
    api(local, only) {
      const host = only?.local ? undefined : this.host;
      if (host && (local?.root || local?.systemBusAddress || local?.procSys)) {
        throw new ApiError('INVALID_INPUT', '--host names a remote host: --root, --bus and --proc-sys are for the local one');
      }
      let ready: Promise<Api> | undefined;
      return lazyApi(() =>
        (ready ??= newRuntime(local).then(async (rt) => {
          if (!host) return rt.api;
          // --host: resolving it may register hosts (saved ones, a file) before any call.
          await rt.ready();
          const [{ createApi }, { resolveArg }] = await Promise.all([import('../../shared/api/client'), import('../compare/import-arg')]);
          // A file (snapshot, sysctl -a, resolv.conf, firewall-cmd output) becomes a read-only host, as in compare.
          const id = isImportArg(host) ? resolveArg(rt, host).id : host;
          return createApi((channel, req) => rt.call(channel, { ...req, host: req.host && req.host !== 'local' ? req.host : id }));
        })),
      );
    },
    runtime(local) {
      // A command that registers hosts as it goes (compare) uses the host list directly.
      return newRuntime(local).then(async (rt) => {
        await rt.ready();
        return rt;
      });
    },
    print(data, json, human) {
      out.write(json ? `${JSON.stringify(data, null, 2)}\n` : ensureNewline(human(data)));
    },
    fail(e) {
      if (e instanceof ApiError) {
        err.write(`hostdeck: ${e.message} [${e.code}]\n`);
        if (e.detail && typeof e.detail === 'object' && 'issues' in e.detail) {
          err.write(`${JSON.stringify((e.detail as { issues: unknown }).issues, null, 2)}\n`);
        }
      } else {
        err.write(`hostdeck: ${e instanceof Error ? e.message : String(e)}\n`);
      }
      process.exitCode = 1;
    },
    action(fn, explain) {
      return async (...args) => {
        try {
          await fn(...args);
        } catch (e) {
          cli.fail(explain ? explain(e) : e);
        }
      };
    },
    note(message) {
      err.write(`hostdeck: ${message}\n`);
    },
    warnPiped(message) {
      if (!(out as { isTTY?: boolean }).isTTY) err.write(`hostdeck: ${message}\n`);
    },
    async dispose() {
      await Promise.allSettled(runtimes.map((r) => r.then((rt) => rt.dispose())));
    },
  };
  return cli;
}

/**
 * The typed API whose runtime is made on the first call (`get`): every call waits for it, so
 * `cli.api().kernel.list(...)` reads as before. Not a thenable (no `then`), so awaiting it by
 * mistake cannot call into the runtime.
 */
function lazyApi(get: () => Promise<Api>): Api {
  const features = new Map<string, Record<string, unknown>>();
  return new Proxy({} as Api, {
    get(_, feature) {
      if (typeof feature !== 'string' || feature === 'then') return undefined;
      let ops = features.get(feature);
      if (!ops) {
        ops = new Proxy({} as Record<string, unknown>, {
          get(__, name) {
            if (typeof name !== 'string' || name === 'then') return undefined;
            return async (input: unknown, options?: unknown) => {
              const api = (await get()) as unknown as Record<string, Record<string, (i: unknown, o?: unknown) => Promise<unknown>>>;
              const op = api[feature]?.[name];
              if (!op) throw new ApiError('UNKNOWN_OPERATION', `No operation called "${feature}.${name}"`);
              return op(input, options);
            };
          },
        });
        features.set(feature, ops);
      }
      return ops;
    },
  });
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') || s === '' ? s : `${s}\n`;
}
