import { EventEmitter } from 'node:events';
import { DBusError, Message, MessageType, type MessageBus } from '@jellybrick/dbus-next';
import { ApiError } from '../../shared/api/errors';
import { connectBus, DEFAULT_SYSTEM_BUS } from '../hosts/bus';
import { mapFirewalldError } from './errors';
import { Limiter } from './limiter';
import { SentOrder } from './sent-order';
import {
  FIREWALLD_BUS_NAME,
  FIREWALLD_CONFIG_PATH,
  FIREWALLD_IFACE,
  FIREWALLD_PATH,
  METHOD_SIGNATURES,
  ifaceName,
  type IfaceSuffix,
} from './signatures';

/** A signal from firewalld, its interface reduced to the suffix after "org.fedoraproject.FirewallD1". */
export interface FirewalldSignal {
  /** '' (main), 'zone', 'policy', 'ipset', 'config', 'config.zone', ... */
  iface: string;
  member: string;
  path: string;
  body: unknown[];
}

export type ConfigKind = 'zone' | 'policy' | 'service' | 'ipset' | 'icmptype' | 'helper';

const CONFIG_BY_NAME: Record<ConfigKind, string> = {
  zone: 'config.getZoneByName',
  policy: 'config.getPolicyByName',
  service: 'config.getServiceByName',
  ipset: 'config.getIPSetByName',
  icmptype: 'config.getIcmpTypeByName',
  helper: 'config.getHelperByName',
};

export interface CallOptions {
  /** Object path (default: the main object, or /config for config.* methods). */
  path?: string;
  timeoutMs?: number;
  /** Words for error messages: "adding port 8080/tcp to public". */
  what?: string;
}

export interface ClientOptions {
  busAddress?: string;
  /** Asked on every connect (a host's transport knows its bus: a local socket, an SSH bridge); overrides busAddress. */
  resolveBusAddress?: () => Promise<string | undefined>;
  /**
   * The host's shared bus connection (HostTransport.systemBus()): used instead of a connection of
   * the client's own, and never disconnected by the client (it removes its listeners instead).
   */
  openBus?: () => Promise<MessageBus>;
  /** Calls in flight at once (reference §3: 16-32). */
  maxInFlight?: number;
  /** Deadline of a call that changes something: longer than polkit's prompt window (25 s in 1.3.3, 60 s in 2.2+). */
  callTimeoutMs?: number;
  /** Deadline of a read (get*, query*, list*, properties): a healthy firewalld answers in milliseconds. */
  readTimeoutMs?: number;
  /** Deadline of an ipset read, whose answer may carry 100,000+ entries. */
  bulkReadTimeoutMs?: number;
  log?: (line: string) => void;
  /**
   * Ask polkit for org.fedoraproject.FirewallD1.all once per connection (default true: one
   * password prompt on a desktop). Off for remote hosts: there is no prompt over ssh, and a polkit
   * rule that granted .all would also grant what it implies (.direct, raw iptables as root).
   */
  authorizeAll?: boolean;
}

export type ClientEvents = {
  /** A firewalld signal (sender checked against the current owner). */
  signal: [FirewalldSignal];
  /** firewalld appeared (owner set, authorized) or disappeared (owner undefined). */
  owner: [{ running: boolean; owner: string | undefined }];
  /** The bus connection itself went away (dbus-daemon stopped). */
  busLost: [Error];
  /** A firewalld call ran past its deadline (answering: false), or firewalld answered again after that (true). */
  answering: [{ answering: boolean; reason?: string }];
};

/** Default deadline of reads; writes get DEFAULT_WRITE_TIMEOUT_MS (polkit may be prompting). */
export const DEFAULT_READ_TIMEOUT_MS = 5_000;
export const DEFAULT_WRITE_TIMEOUT_MS = 90_000;

/** firewalld methods that only read: they never wait for a polkit prompt, so a short deadline fits. */
export function isReadMethod(member: string): boolean {
  return /^(get|query|list)/.test(member) || member === 'GetAll' || member === 'Get';
}

/** Where a call by key goes: "zone.getZoneSettings2" -> interface suffix, member, object path, input signature. */
export function callTarget(key: string, path?: string): { suffix: IfaceSuffix; member: string; path: string; signature: string } {
  const signature = METHOD_SIGNATURES[key];
  if (signature === undefined) throw new ApiError('INTERNAL', `No D-Bus signature known for firewalld method ${key}`);
  const dot = key.lastIndexOf('.');
  const suffix = key.slice(0, dot) as IfaceSuffix;
  return { suffix, member: key.slice(dot + 1), path: path ?? (suffix.startsWith('config') ? FIREWALLD_CONFIG_PATH : FIREWALLD_PATH), signature };
}

/** The firewalld client's read calls (reader.ts): the client itself, or answers read on the host in one round trip (bulk-read.ts). */
export type FirewalldReads = Pick<FirewalldClient, 'call' | 'getAllProperties' | 'rememberPath' | 'configPath'>;

const DBUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };

/**
 * One connection to firewalld on one system bus. Low-level calls only (key -> signature from
 * signatures.ts), each with a deadline and at most `maxInFlight` pending. Signals arrive through
 * two broad match rules (everything firewalld sends, plus NameOwnerChanged for its name) and are
 * dispatched from bus.on('message'): no per-proxy rules to leak, no proxies to rebuild after a
 * restart. When firewalld's owner changes, the client authorizes again and forgets cached
 * config paths (they are renumbered on every start and reload).
 */
export class FirewalldClient extends EventEmitter<ClientEvents> {
  /** The address of the bus this client talks to (updated from resolveBusAddress on connect). */
  busAddress: string;
  private readonly resolveBusAddress: (() => Promise<string | undefined>) | undefined;
  private readonly limiter: Limiter;
  /** firewalld calls in flight, in the order sent: an answer moves the deadlines of those behind it. */
  private readonly sent = new SentOrder();
  private readonly callTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly bulkReadTimeoutMs: number;
  /** Set while firewalld is known not to answer (a call ran past its deadline). */
  private stalled = false;
  private readonly log: (line: string) => void;
  private bus: MessageBus | undefined;
  private connecting: Promise<MessageBus> | undefined;
  private owner: string | undefined;
  /** Settles once authorizeAll() went through for the current owner. */
  private authorized: Promise<void> | undefined;
  private readonly pathCache = new Map<string, Promise<string>>();
  private readonly pending = new Set<(e: Error) => void>();
  private disposed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = 500;
  /** Keep reconnecting after the bus drops (set once someone watches state). */
  keepAlive = false;
  private readonly authorizeAll: boolean;
  private readonly sharedBus: (() => Promise<MessageBus>) | undefined;
  /** Takes this client's listeners off the current bus (and disconnects it when it is the client's own). */
  private release: (() => void) | undefined;

  constructor(opts: ClientOptions = {}) {
    super();
    this.busAddress = opts.busAddress ?? DEFAULT_SYSTEM_BUS;
    this.sharedBus = opts.openBus;
    this.authorizeAll = opts.authorizeAll ?? true;
    this.resolveBusAddress = opts.resolveBusAddress;
    this.limiter = new Limiter(opts.maxInFlight ?? 16, (e) => e instanceof ApiError && e.code === 'TIMEOUT');
    this.callTimeoutMs = opts.callTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.readTimeoutMs = opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    this.bulkReadTimeoutMs = opts.bulkReadTimeoutMs ?? 30_000;
    this.log = opts.log ?? (() => {});
  }

  /** Whether firewalld currently owns its name on the bus (as far as we know). */
  get running(): boolean {
    return this.owner !== undefined;
  }

  get connected(): boolean {
    return this.bus !== undefined;
  }

  get inFlight(): number {
    return this.limiter.inFlight;
  }

  /** Most calls ever in flight at once on this client. */
  get peakInFlight(): number {
    return this.limiter.peak;
  }

  /** Connects (once) and learns whether firewalld is there. Throws FIREWALLD_NOT_RUNNING if the bus is unreachable. */
  async connect(): Promise<MessageBus> {
    if (this.disposed) throw new ApiError('FIREWALLD_NOT_RUNNING', 'The firewalld client was closed');
    if (this.bus) return this.bus;
    this.connecting ??= this.openBus().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async openBus(): Promise<MessageBus> {
    if (this.resolveBusAddress) this.busAddress = (await this.resolveBusAddress()) ?? DEFAULT_SYSTEM_BUS;
    const bus = this.sharedBus ? await this.sharedBus() : await connectBus(this.busAddress);
    const lost = (e: unknown) => this.onBusLost(bus, e instanceof Error ? e : new Error(String(e)));
    const ended = () => lost(new Error('the system bus closed the connection'));
    const onMessage = (msg: Message) => this.onMessage(msg);
    const connection = (bus as unknown as { _connection?: EventEmitter })._connection;
    this.release = () => {
      this.release = undefined;
      (bus as unknown as EventEmitter).off('error', lost);
      connection?.off('end', ended);
      bus.off('message', onMessage);
      if (this.sharedBus) return;
      try {
        bus.disconnect();
      } catch {
        /* already closed */
      }
    };
    if (this.disposed) {
      this.release();
      throw new ApiError('FIREWALLD_NOT_RUNNING', 'The firewalld client was closed');
    }
    (bus as unknown as EventEmitter).on('error', lost);
    // dbus-next emits nothing on the bus when the socket ends; its connection object does.
    connection?.on('end', ended);
    bus.on('message', onMessage);
    this.bus = bus;
    try {
      await this.busCall(bus, 'AddMatch', 's', [
        `type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='${FIREWALLD_BUS_NAME}'`,
      ]);
      // The sender is matched against the current owner of the well-known name by the daemon,
      // so this one rule keeps working across firewalld restarts.
      await this.busCall(bus, 'AddMatch', 's', [`type='signal',sender='${FIREWALLD_BUS_NAME}',path_namespace='${FIREWALLD_PATH}'`]);
      const owner = await this.busCall(bus, 'GetNameOwner', 's', [FIREWALLD_BUS_NAME]).then(
        (b) => b[0] as string,
        () => undefined,
      );
      this.setOwner(owner);
    } catch (e) {
      this.bus = undefined;
      this.release?.();
      throw mapFirewalldError(e, 'subscribing to firewalld signals');
    }
    this.reconnectDelay = 500;
    return bus;
  }

  private busCall(bus: MessageBus, member: string, signature: string, body: unknown[]): Promise<unknown[]> {
    return this.withDeadline(
      bus.call(new Message({ ...DBUS, member, signature, body })).then((r) => r?.body ?? []),
      10_000,
      `org.freedesktop.DBus.${member}`,
    );
  }

  private onMessage(msg: Message): void {
    if (msg.type !== MessageType.SIGNAL) return;
    if (msg.interface === 'org.freedesktop.DBus' && msg.member === 'NameOwnerChanged') {
      const [name, , newOwner] = msg.body as [string, string, string];
      if (name === FIREWALLD_BUS_NAME) this.setOwner(newOwner || undefined);
      return;
    }
    // Signals from a previous instance that are still in flight carry its unique name.
    if (this.owner && msg.sender && msg.sender !== this.owner) return;
    if (msg.interface === 'org.freedesktop.DBus.Properties' && msg.member === 'PropertiesChanged') {
      // firewalld.conf changed (reference §6): body = [interface, changed a{sv}, invalidated as].
      this.emit('signal', { iface: 'properties', member: msg.member, path: msg.path, body: msg.body });
      return;
    }
    if (!msg.interface?.startsWith(FIREWALLD_IFACE)) return;
    const iface = msg.interface === FIREWALLD_IFACE ? '' : msg.interface.slice(FIREWALLD_IFACE.length + 1);
    if (msg.member === 'Reloaded' || (iface === 'config' && /(Added|Removed|Renamed)$/.test(msg.member))) this.pathCache.clear();
    if (iface.startsWith('config.') && (msg.member === 'Removed' || msg.member === 'Renamed')) this.pathCache.clear();
    this.emit('signal', { iface, member: msg.member, path: msg.path, body: msg.body });
  }

  private setOwner(owner: string | undefined): void {
    if (owner === this.owner) return;
    this.log(`firewalld owner ${this.owner ?? '-'} -> ${owner ?? '-'}`);
    this.owner = owner;
    this.pathCache.clear();
    this.authorized = undefined;
    this.emit('owner', { running: owner !== undefined, owner });
  }

  private onBusLost(bus: MessageBus, e: Error): void {
    if (this.bus !== bus) return;
    this.log(`bus lost: ${e.message}`);
    this.bus = undefined;
    this.release?.();
    // A pending call on a dead socket would otherwise never settle.
    for (const reject of [...this.pending]) reject(new ApiError('FIREWALLD_NOT_RUNNING', `Lost the system bus: ${e.message}`));
    this.setOwner(undefined);
    this.emit('busLost', e);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.disposed || !this.keepAlive || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => {
        this.reconnectDelay = Math.min(this.reconnectDelay * 2, 10_000);
        this.scheduleReconnect();
      });
    }, this.reconnectDelay);
    this.reconnectTimer.unref?.();
  }

  /** Makes sure firewalld is there and this connection is authorized (authorizeAll once per firewalld instance). */
  async ready(): Promise<void> {
    await this.connect();
    if (!this.owner) {
      throw new ApiError('FIREWALLD_NOT_RUNNING', `firewalld is not running: nobody owns ${FIREWALLD_BUS_NAME} on ${this.busAddress}`, {
        busAddress: this.busAddress,
      });
    }
    const owner = this.owner;
    if (!this.authorized) {
      // Like firewall-cmd and firewall-config: one polkit prompt for everything (reference §9).
      // Without authorizeAll (ssh: no prompt), one read that needs firewalld's config action, so a
      // login polkit refuses fails once, not on each of the hundreds of calls of a full read.
      const p = this.authorizeAll
        ? this.rawCall('.authorizeAll', [], { timeoutMs: this.callTimeoutMs, what: 'asking polkit for authorization' })
        : this.send(
            { destination: FIREWALLD_BUS_NAME, path: FIREWALLD_PATH, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [ifaceName('')] },
            this.readTimeoutMs,
            `reading the properties of ${ifaceName('')}`,
          );
      this.authorized = p.then(
        () => undefined,
        (e: unknown) => {
          if (this.owner === owner) this.authorized = undefined;
          throw e;
        },
      );
    }
    await this.authorized;
  }

  /**
   * Calls a firewalld method by key ("zone.addPort", ".getDefaultZone", "config.zone.update2").
   * Waits for ready() first.
   */
  async call(key: string, body: unknown[] = [], opts: CallOptions = {}): Promise<unknown[]> {
    await this.ready();
    return this.rawCall(key, body, opts);
  }

  /** The same without waiting for authorization (used by authorizeAll itself and the probe). */
  async rawCall(key: string, body: unknown[] = [], opts: CallOptions = {}): Promise<unknown[]> {
    const { suffix, member, path, signature } = callTarget(key, opts.path);
    return this.send(
      { destination: FIREWALLD_BUS_NAME, path, interface: ifaceName(suffix), member, signature, body },
      opts.timeoutMs ?? (!isReadMethod(member) ? this.callTimeoutMs : suffix.endsWith('ipset') ? this.bulkReadTimeoutMs : this.readTimeoutMs),
      opts.what ?? `calling ${member}`,
    );
  }

  /** Properties.GetAll on firewalld's main or config object (needs authorization: reference §7). */
  async getAllProperties(iface: IfaceSuffix, path = iface.startsWith('config') ? FIREWALLD_CONFIG_PATH : FIREWALLD_PATH): Promise<Record<string, unknown>> {
    await this.ready();
    const [props] = (await this.send(
      {
        destination: FIREWALLD_BUS_NAME,
        path,
        interface: 'org.freedesktop.DBus.Properties',
        member: 'GetAll',
        signature: 's',
        body: [ifaceName(iface)],
      },
      this.readTimeoutMs,
      `reading the properties of ${ifaceName(iface)}`,
    )) as [Record<string, { value: unknown }>];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props ?? {})) out[k] = v?.value;
    return out;
  }

  /** Any method on any destination of this bus (systemd, the bus itself), with deadline and pool. */
  async callOther(
    spec: { destination: string; path: string; interface: string; member: string; signature?: string; body?: unknown[]; flags?: number },
    timeoutMs = this.callTimeoutMs,
  ): Promise<unknown[]> {
    await this.connect();
    return this.send({ signature: '', body: [], ...spec }, timeoutMs, `calling ${spec.interface}.${spec.member}`);
  }

  /**
   * One call under one deadline that starts now: the wait for a free slot counts toward it, so
   * with firewalld frozen no call waits longer than its deadline, however many are queued
   * (see Limiter for how a batch that keeps getting answers is treated).
   */
  private async send(
    spec: { destination: string; path: string; interface: string; member: string; signature: string; body: unknown[]; flags?: number },
    timeoutMs: number,
    what: string,
  ): Promise<unknown[]> {
    const firewalld = spec.destination === FIREWALLD_BUS_NAME;
    const expired = () => this.timedOut(firewalld, timeoutMs, what);
    return this.limiter.run(
      async (deadline) => {
        const bus = await this.connect();
        const sent = firewalld ? this.sent.send(deadline, timeoutMs) : undefined;
        try {
          const reply = await this.withDeadline(bus.call(new Message(spec)), deadline - Date.now(), what, expired, sent?.deadline);
          sent?.answered();
          if (firewalld) this.setAnswering(true);
          return reply?.body ?? [];
        } catch (e) {
          // A D-Bus error reply is an answer too; only our own deadline or a lost bus is not.
          if (e instanceof DBusError) sent?.answered();
          else sent?.dropped();
          throw mapFirewalldError(e, what);
        }
      },
      { timeoutMs, expired },
    );
  }

  private timedOut(firewalld: boolean, timeoutMs: number, what: string): ApiError {
    const secs = Math.max(1, Math.round(timeoutMs / 1000));
    if (!firewalld) return new ApiError('TIMEOUT', `No answer within ${secs} s while ${what}`);
    const reason = `firewalld is not answering: no reply within ${secs} s while ${what}. It may be stuck or overloaded (systemctl status firewalld).`;
    this.setAnswering(false, reason);
    return new ApiError('TIMEOUT', reason, { busAddress: this.busAddress, timeoutMs });
  }

  private setAnswering(answering: boolean, reason?: string): void {
    if (this.stalled === !answering) return;
    this.stalled = !answering;
    this.log(answering ? 'firewalld answers again' : `firewalld stalled: ${reason}`);
    this.emit('answering', { answering, reason });
  }

  /** False while firewalld is known not to answer (a call ran past its deadline and none succeeded since). */
  get answering(): boolean {
    return !this.stalled;
  }

  /** `moved` (optional) tells the deadline as it stands now: the timer re-arms while it lies ahead. */
  private withDeadline<T>(p: Promise<T>, timeoutMs: number, what: string, expired?: () => Error, moved?: () => number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        reject(e);
      };
      const fire = () => {
        const left = moved ? moved() - Date.now() : 0;
        if (left > 0) timer = setTimeout(fire, left);
        else fail(expired?.() ?? new ApiError('TIMEOUT', `No answer within ${Math.max(1, Math.round(timeoutMs / 1000))} s while ${what}`));
      };
      let timer = setTimeout(fire, Math.max(0, timeoutMs));
      this.pending.add(fail);
      p.then(
        (v) => {
          clearTimeout(timer);
          this.pending.delete(fail);
          resolve(v);
        },
        (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))),
      );
    });
  }

  /** Path of a permanent object by name; cached until the next reload/add/remove/rename. */
  configPath(kind: ConfigKind, name: string): Promise<string> {
    const key = `${kind}\0${name}`;
    let p = this.pathCache.get(key);
    if (!p) {
      p = this.call(CONFIG_BY_NAME[kind], [name], { what: `looking up permanent ${kind} "${name}"` }).then((b) => b[0] as string);
      p.catch(() => this.pathCache.delete(key));
      this.pathCache.set(key, p);
    }
    return p;
  }

  /** Records a path learnt from a list call (valid until the next reload/add/remove/rename). */
  rememberPath(kind: ConfigKind, name: string, path: string): void {
    this.pathCache.set(`${kind}\0${name}`, Promise.resolve(path));
  }

  /** Calls a method of a permanent object by name (e.g. configCall('zone', 'public', 'update2', [...])). */
  async configCall(
    kind: ConfigKind,
    name: string,
    member: string,
    body: unknown[] = [],
    opts: CallOptions & { fresh?: boolean } = {},
  ): Promise<unknown[]> {
    // Writes look the path up right before the call: a stale cached index could name another object.
    if (opts.fresh) this.pathCache.delete(`${kind}\0${name}`);
    const path = await this.configPath(kind, name);
    try {
      return await this.call(`config.${kind}.${member}`, body, { ...opts, path });
    } catch (e) {
      // A reload between lookup and call renumbers paths: look up once more.
      if (e instanceof ApiError && e.code === 'UNSUPPORTED') {
        this.pathCache.clear();
        const fresh = await this.configPath(kind, name);
        return this.call(`config.${kind}.${member}`, body, { ...opts, path: fresh });
      }
      throw e;
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reconnectTimer);
    this.bus = undefined;
    for (const reject of [...this.pending]) reject(new ApiError('FIREWALLD_NOT_RUNNING', 'The firewalld client was closed'));
    this.release?.();
    this.removeAllListeners();
  }
}
