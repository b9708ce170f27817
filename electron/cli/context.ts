import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiError } from '../../shared/api/errors';
import type { Api, HostDeckEvent } from '../../shared/api/contract';
import { Runtime } from '../api/runtime';
import { persistSeconds } from '../hosts/ssh/control-dir';
import { createApi } from '../../shared/api/client';
import type { LocalHostOptions } from '../hosts/registry';
import { resolveArg } from '../compare/import-arg';
import type { HandlerEvents, HostList } from '../api/context';

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
  runtime(local?: LocalHostOptions): CliRuntime;
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
  const runtimes: Runtime[] = [];
  const cli: CliContext = {
    host: undefined,
    api(local, only) {
      const rt = new Runtime({ mode: 'cli', local, remote: { persistMasters: persistSeconds() } });
      runtimes.push(rt);
      const host = only?.local ? undefined : this.host;
      if (!host) return rt.api;
      if (local?.root || local?.systemBusAddress || local?.procSys) {
        throw new ApiError('INVALID_INPUT', '--host names a remote host: --root, --bus and --proc-sys are for the local one');
      }
      // A file (snapshot, sysctl -a, resolv.conf, firewall-cmd output) becomes a read-only host, as in compare.
      const id = isImportArg(host) ? resolveArg(rt, host).id : host;
      return createApi((channel, req) => rt.call(channel, { ...req, host: req.host && req.host !== 'local' ? req.host : id }));
    },
    runtime(local) {
      const rt = new Runtime({ mode: 'cli', local, remote: { persistMasters: persistSeconds() } });
      runtimes.push(rt);
      return rt;
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
      await Promise.allSettled(runtimes.map((r) => r.dispose()));
    },
  };
  return cli;
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') || s === '' ? s : `${s}\n`;
}
