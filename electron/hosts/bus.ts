import type { MessageBus } from '@jellybrick/dbus-next';
import type * as DbusNextModule from '@jellybrick/dbus-next';
import { ApiError } from '../../shared/api/errors';

export const DEFAULT_SYSTEM_BUS = 'unix:path=/var/run/dbus/system_bus_socket';

/** The socket a D-Bus address points at: "unix:path=/run/dbus/system_bus_socket" -> the path ("@name" for abstract ones). */
export function busSocketPath(address: string): string | undefined {
  for (const part of address.split(';')) {
    const m = /^unix:(.*)$/.exec(part.trim());
    if (!m) continue;
    const kv = Object.fromEntries(m[1]!.split(',').map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]));
    if (kv.path) return decodeURIComponent(kv.path);
    if (kv.abstract) return `@${decodeURIComponent(kv.abstract)}`;
  }
  return undefined;
}

type DbusNext = typeof DbusNextModule;
let dbusNext: Promise<DbusNext> | undefined;
/**
 * dbus-next, loaded by the first connection, not at start: commands that never touch a bus
 * (kernel, dns) skip it and its XML parser (issue #22). Loaded once: every later use takes the
 * same promise, so the package is resolved on disk only the first time.
 */
export function loadDbus(): Promise<DbusNext> {
  dbusNext ??= import('@jellybrick/dbus-next');
  return dbusNext;
}

/**
 * Connects to a system bus at an explicit address. dbus-next has no connect timeout and a
 * failed socket only emits 'error', so both are turned into a settled promise here.
 */
export async function connectBus(address: string | undefined, timeoutMs = 5000): Promise<MessageBus> {
  const busAddress = address ?? DEFAULT_SYSTEM_BUS;
  const { sessionBus } = await loadDbus();
  return new Promise((resolve, reject) => {
    let bus: MessageBus;
    let settled = false;
    const fail = (why: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        bus?.disconnect();
      } catch {
        /* already gone */
      }
      const errno = (cause as { code?: unknown } | undefined)?.code;
      reject(
        new ApiError('FIREWALLD_NOT_RUNNING', why, {
          busAddress,
          // The bus itself is missing (not firewalld): the status says so and offers no "Start firewalld".
          noBus: true,
          socket: busSocketPath(busAddress),
          errno: typeof errno === 'string' ? errno : undefined,
          cause: cause instanceof Error ? cause.message : cause,
        }),
      );
    };
    const timer = setTimeout(() => fail(`The system bus at ${busAddress} did not answer within ${timeoutMs} ms`), timeoutMs);
    try {
      bus = sessionBus({ busAddress });
    } catch (e) {
      fail(`Cannot connect to the system bus at ${busAddress}`, e);
      return;
    }
    // `on`, not `once`: a handshake that fails can emit 'error' twice (the socket's error, then
    // ERR_STREAM_WRITE_AFTER_END from the handshake), and an 'error' without a listener ends the process.
    (bus as unknown as NodeJS.EventEmitter).on('error', (e: unknown) =>
      fail(`Cannot connect to the system bus at ${busAddress}: ${e instanceof Error ? e.message : String(e)}`, e),
    );
    bus.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(bus);
    });
  });
}

/**
 * A host's one connection to its system bus, shared by every feature (firewalld client,
 * systemd-resolved, polkit): opened on first use, opened again after it closed (a restarted
 * bus, a dropped SSH bridge), disconnected when the host's transport is disposed. Users never
 * disconnect it; they remove what they added (listeners, match rules) when done.
 */
export class SharedBus {
  private current: Promise<MessageBus> | undefined;
  private open: MessageBus | undefined;
  private disposed = false;

  constructor(
    private readonly address: () => Promise<string | undefined>,
    private readonly timeoutMs = 5000,
  ) {}

  get(): Promise<MessageBus> {
    if (this.disposed) return Promise.reject(new ApiError('FIREWALLD_NOT_RUNNING', 'The host was closed: its system bus connection is gone', { noBus: true }));
    this.current ??= this.connect().catch((e: unknown) => {
      this.current = undefined;
      throw e;
    });
    return this.current;
  }

  private async connect(): Promise<MessageBus> {
    const bus = await connectBus(await this.address(), this.timeoutMs);
    if (this.disposed) {
      bus.disconnect();
      throw new ApiError('FIREWALLD_NOT_RUNNING', 'The host was closed: its system bus connection is gone', { noBus: true });
    }
    // Registered before any user's listeners, so a user that reconnects on the same event gets a new connection.
    const gone = () => {
      if (this.open !== bus) return;
      this.open = undefined;
      this.current = undefined;
    };
    (bus as unknown as NodeJS.EventEmitter).on('error', gone);
    // dbus-next emits nothing on the bus when the socket ends; its connection object does.
    (bus as unknown as { _connection?: NodeJS.EventEmitter })._connection?.on('end', gone);
    this.open = bus;
    return bus;
  }

  dispose(): void {
    this.disposed = true;
    const bus = this.open;
    this.open = undefined;
    this.current = undefined;
    try {
      bus?.disconnect();
    } catch {
      /* already closed */
    }
  }
}
