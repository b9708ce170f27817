import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../shared/api/errors';
import { defaultHostName, parseDestination, type SshDestination } from '../../shared/hosts/destination';
import { reservedHostIdReason, savedHostIdSchema, type HostPrivilege, type RemoteHost } from '../../shared/hosts/contract';
import type { InventoryHost } from '../../shared/hosts/inventory';
import { becomeSchema, groupNameSchema, sshOptionSchema, type Become } from '../../shared/hosts/ssh-options';
import type { HandlerEvents } from '../api/context';
import { loadDbus } from './bus';
import { createHost, type Host } from './host';
import { inventoryPath, readInventory } from './inventory';
import type { HostRegistry } from './registry';
import { defaultRuntimeDir, outageText, SshLink, type LinkStatus } from './ssh/link';
import { controlDir, type ControlDir } from './ssh/control-dir';
import { sshDebugLog, sshLinkOptions } from './ssh/link-options';
import { defaultConfigDir } from './config-dir';
import { SshTransport } from './ssh/transport';

/**
 * HostDeck's saved remote hosts ($XDG_CONFIG_HOME/hostdeck/hosts.json: names and ssh
 * destinations only, never a secret) and their live SSH hosts in the registry. A destination
 * that is not saved (CLI `--host user@web1`) becomes a temporary host for this process.
 */

const fileSchema = z.object({
  version: z.literal(1),
  hosts: z.array(z.object({
    id: savedHostIdSchema,
    destination: z.string().min(1).max(300),
    // From an Ansible inventory (hosts import): checked again on every read, a hand-edited ProxyCommand included.
    groups: z.array(groupNameSchema).max(256).optional(),
    sshOptions: z.array(sshOptionSchema).max(16).optional(),
    become: becomeSchema.nullable().optional(),
    // The inventory it was imported from (absolute path): compare's fix playbooks run against it.
    inventory: z.string().min(1).max(4096).optional(),
  })).superRefine((hosts, ctx) => {
    const seen = new Set<string>();
    hosts.forEach((h, i) => {
      if (seen.has(h.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `"${h.id}" is saved twice; host names must be unique` });
      seen.add(h.id);
    });
  }),
});
type HostsFile = z.infer<typeof fileSchema>;

export interface RemoteHostsOptions {
  /** Directory of hosts.json; default $XDG_CONFIG_HOME/hostdeck (~/.config/hostdeck). */
  configDir?: string;
  /** ssh -F FILE for every connection; default HOSTDECK_SSH_CONFIG or ssh's own ~/.ssh/config. */
  sshConfig?: string;
  /** Where control and bus sockets live (0700); default a fresh dir under $XDG_RUNTIME_DIR or /tmp. */
  runtimeDir?: string;
  /**
   * CLI: keep ssh masters this many seconds between runs (ControlPersist) in the user's fixed
   * control directory (electron/hosts/ssh/control-dir.ts); 0 or absent: masters end with HostDeck.
   */
  persistMasters?: number;
  /**
   * The app and `serve`: keep each host's read agent this many seconds after its last read
   * (electron/hosts/ssh/kept-agent.ts; HOSTDECK_AGENT_KEEP, agent-keep.ts); 0 or absent: one agent
   * run per read (the CLI).
   */
  keepAgents?: number;
  log?: (line: string) => void;
}

interface Entry {
  id: string;
  destination: SshDestination;
  groups: string[];
  sshOptions: string[];
  become: Become | null;
  /** The inventory the host was imported from (absolute), or null. */
  inventory: string | null;
  saved: boolean;
  host: Host;
  link: SshLink;
  transport: SshTransport;
  keyType: string | null;
  firewalld: RemoteHost['firewalld'];
  firewalldMessage: string | null;
  privilege: HostPrivilege | null;
}

const unknownPrivilege: HostPrivilege = {
  mode: 'unknown',
  user: null,
  message: null,
  sudoersLine: null,
  helperInstalled: null,
  helperOutdated: null,
  firewall: { route: 'unknown', polkit: null, actions: [], message: null, polkitRule: null },
};

export class RemoteHosts {
  private readonly entries = new Map<string, Entry>();
  private readonly file: string;
  private runtimeDir: string | undefined;
  private control: ControlDir | undefined;
  private loaded = false;
  private loadError: ApiError | undefined;

  constructor(
    private readonly registry: HostRegistry,
    private readonly events: HandlerEvents,
    private readonly opts: RemoteHostsOptions = {},
  ) {
    this.file = join(opts.configDir ?? defaultConfigDir(), 'hosts.json');
  }

  private get sshConfig(): string | undefined {
    return this.opts.sshConfig ?? (process.env.HOSTDECK_SSH_CONFIG || undefined);
  }

  private readFile(): HostsFile {
    if (!existsSync(this.file)) return { version: 1, hosts: [] };
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new ApiError('PARSE_ERROR', `${this.file} is not valid JSON (${e instanceof Error ? e.message : String(e)}): fix or remove it`, { path: this.file });
    }
    const p = fileSchema.safeParse(raw);
    if (!p.success) {
      // Name the entry: "hosts[2].id "local": ..." is something a person can find and fix.
      const issue = p.error.issues[0]!;
      const where = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '');
      const value = valueAt(raw, issue.path);
      const shown = typeof value === 'string' ? ` ${JSON.stringify(value.slice(0, 80))}` : '';
      throw new ApiError('PARSE_ERROR', `${this.file}: ${where || 'the file'}${shown}: ${issue.message}. Fix or remove that entry (HostDeck's host list: {"version": 1, "hosts": [{"id": NAME, "destination": SSH_DESTINATION}]})`, {
        path: this.file,
        entry: where,
        value: typeof value === 'string' ? value.slice(0, 200) : undefined,
      });
    }
    return p.data;
  }

  /** Atomic: temp file in the same directory, fsync, rename, fsync the directory. */
  private writeFile(data: HostsFile): void {
    const dir = join(this.file, '..');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.hosts.json.${process.pid}.${Date.now()}`);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(data, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(tmp, this.file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }

  /** Registers the saved hosts (no connection yet). */
  load(): void {
    if (this.loaded) return;
    this.loaded = true;
    let file: HostsFile;
    try {
      file = this.readFile();
    } catch (e) {
      // Nothing from a file that fails its schema is registered (a hand-edited "local" would
      // replace this machine); list() reports why, naming the file and the entry.
      this.loadError = e instanceof ApiError ? e : new ApiError('IO_ERROR', `Cannot read ${this.file}: ${e instanceof Error ? e.message : String(e)}`, { path: this.file });
      this.opts.log?.(this.loadError.message);
      return;
    }
    for (const h of file.hosts) {
      try {
        this.register(h.id, parseDestination(h.destination), true, h);
      } catch (e) {
        this.opts.log?.(`hosts.json: skipping ${h.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private register(id: string, destination: SshDestination, saved: boolean, extra: { groups?: string[]; sshOptions?: string[]; become?: Become | null; inventory?: string } = {}): Entry {
    this.runtimeDir ??= this.opts.runtimeDir ?? defaultRuntimeDir();
    const log = this.opts.log ?? sshDebugLog(id);
    const sshOptions = extra.sshOptions ?? [];
    const persistS = this.opts.persistMasters ?? 0;
    if (persistS > 0 && !this.control) {
      this.control = controlDir();
      if (this.control.refused) log?.(`not keeping ssh masters between runs: ${this.control.refused}; this run's masters live in its own private ${this.runtimeDir} and end with it`);
    }
    const link = new SshLink(sshLinkOptions({ destination, sshConfig: this.sshConfig, control: this.control, runtimeDir: this.runtimeDir, persistS, log, options: sshOptions }));
    const transport = new SshTransport(link, { log, keepAgentS: this.opts.keepAgents ?? 0 });
    const host = createHost({
      id,
      label: id === destination.text ? id : `${id} (${destination.text})`,
      kind: 'remote',
      root: '/',
      procSys: '/proc/sys',
      systemBusAddress: `unix:path=${transport.busSocket}`,
      // Writes go through the transport's helper (root or sudo -n on the host), never from here.
      privileged: false,
      transport,
    });
    const entry: Entry = { id, destination, groups: extra.groups ?? [], sshOptions, become: extra.become ?? null, inventory: extra.inventory ?? null, saved, host, link, transport, keyType: null, firewalld: null, firewalldMessage: null, privilege: null };
    this.registry.add(host);
    this.entries.set(id, entry);
    link.on('status', (s: LinkStatus) => {
      if (s.state === 'connected') {
        // Learn what the login may do as soon as the link is up (one agent round trip).
        transport.privilege().then(
          (p) => {
            entry.privilege = p;
            this.changed(entry);
          },
          () => undefined,
        );
      }
      this.changed(entry);
    });
    void transport.listen().catch((e: unknown) => this.opts.log?.(`bus socket for ${id}: ${e instanceof Error ? e.message : String(e)}`));
    return entry;
  }

  private changed(entry: Entry): void {
    if (this.entries.get(entry.id) !== entry) return;
    this.events.emit('hosts.changed', 'local', { host: this.summary(entry), removed: null });
  }

  private summary(e: Entry): RemoteHost {
    const s = e.link.status;
    const id = e.transport.identity;
    return {
      id: e.id,
      destination: e.destination.text,
      state: s.state,
      // The link words its advice for any host; here it has a name (hostdeck hosts replace-key NAME).
      message: (s.state === 'disconnected' || s.state === 'unreachable' ? `${s.message} (${outageText(s)})` : s.message).replace('hosts replace-key HOST ', `hosts replace-key ${e.id} `),
      fingerprint: s.fingerprint ?? null,
      keyType: e.keyType,
      sshSays: s.sshSays ?? null,
      since: s.since,
      lastSeen: s.lastSeen ?? null,
      nextReconnect: s.nextAttempt ?? null,
      stale: s.state !== 'connected' && (e.privilege !== null || e.firewalld !== null || id !== undefined),
      identity: id ? { hostname: id.hostname, os: id.os, kernel: id.kernel, user: id.user, uid: id.uid } : null,
      privilege: e.privilege ?? unknownPrivilege,
      firewalld: e.firewalld,
      firewalldMessage: e.firewalldMessage,
      groups: e.groups,
      become: e.become,
      sshOptions: e.sshOptions,
      inventory: e.inventory,
    };
  }

  /** `hosts import --inventory FILE [--limit PATTERN]`: reads it with Ansible, saves what may be saved, says what was skipped and why. */
  async importInventory(inventory: string, limit?: string): Promise<{ added: string[]; updated: string[]; skipped: { host: string; reason: string }[]; notes: string[] }> {
    const r = await readInventory(inventory, limit);
    const { added, updated } = await this.importHosts(r.hosts, inventoryPath(inventory));
    return { added, updated, skipped: r.skipped, notes: r.notes };
  }

  /** Saved hosts in an inventory group (hosts import keeps each host's groups). */
  groupMembers(group: string): string[] {
    this.load();
    return [...this.entries.values()].filter((e) => e.saved && e.groups.includes(group)).map((e) => e.id);
  }

  /**
   * Saves hosts read from an Ansible inventory (electron/hosts/inventory.ts): new names are
   * added, names already saved get the inventory's destination, groups and options (their
   * connection is ended: the next use connects the new way). One atomic write for all.
   */
  async importHosts(hosts: InventoryHost[], inventory?: string): Promise<{ added: string[]; updated: string[] }> {
    this.load();
    if (this.loadError) throw this.loadError;
    const file = this.readFile();
    const added: string[] = [];
    const updated: string[] = [];
    for (const h of hosts) {
      const saved = { id: h.id, destination: h.destination, groups: h.groups, sshOptions: h.sshOptions, become: h.become, ...(inventory ? { inventory } : {}) };
      const i = file.hosts.findIndex((x) => x.id === h.id);
      if (i >= 0) {
        const before = JSON.stringify(file.hosts[i]);
        file.hosts[i] = saved;
        if (before !== JSON.stringify(saved)) updated.push(h.id);
      } else {
        file.hosts.push(saved);
        added.push(h.id);
      }
    }
    this.writeFile(file);
    for (const id of [...added, ...updated]) {
      const h = file.hosts.find((x) => x.id === id)!;
      if (this.entries.has(id)) {
        this.entries.delete(id);
        await this.registry.remove(id);
      }
      this.register(id, parseDestination(h.destination), true, h);
    }
    if (added.length || updated.length) this.events.emit('app.hostsChanged', 'local', {});
    for (const id of [...added, ...updated]) this.changed(this.entries.get(id)!);
    return { added, updated };
  }

  list(): RemoteHost[] {
    this.load();
    if (this.loadError) throw this.loadError;
    return [...this.entries.values()].filter((e) => e.saved).map((e) => this.summary(e));
  }

  private entry(id: string): Entry {
    this.load();
    const e = this.entries.get(id);
    if (!e) throw new ApiError('UNKNOWN_HOST', `No saved host called "${id}"`, { known: [...this.entries.keys()] });
    return e;
  }

  /** The SSH link of a registered host, if it is one. */
  linkOf(id: string): SshLink | undefined {
    return this.entries.get(id)?.link;
  }

  transportOf(id: string): SshTransport | undefined {
    return this.entries.get(id)?.transport;
  }

  /**
   * The registry id for a saved name or any ssh destination (an ssh_config alias or
   * user@host[:port]): CLI scripts need no set-up step. Throws UNKNOWN_HOST for anything else.
   */
  resolve(nameOrDestination: string): string {
    this.load();
    if (this.entries.has(nameOrDestination)) return nameOrDestination;
    const byDest = [...this.entries.values()].find((e) => e.destination.text === nameOrDestination);
    if (byDest) return byDest.id;
    let d: SshDestination;
    try {
      d = parseDestination(nameOrDestination);
    } catch (e) {
      throw new ApiError('UNKNOWN_HOST', `No host called "${nameOrDestination}", and it is not an ssh destination: ${e instanceof Error ? e.message : String(e)}`);
    }
    const reserved = reservedHostIdReason(d.text);
    if (reserved) throw new ApiError('UNKNOWN_HOST', `No host called "${nameOrDestination}", and it cannot name a temporary host: ${reserved}`);
    return this.register(d.text, d, false).id;
  }

  async add(destination: string, name?: string): Promise<RemoteHost> {
    this.load();
    let d: SshDestination;
    try {
      d = parseDestination(destination);
    } catch (e) {
      throw new ApiError('INVALID_VALUE', e instanceof Error ? e.message : String(e), { destination });
    }
    const id = name ?? defaultHostName(d);
    const reserved = reservedHostIdReason(id);
    if (reserved) throw new ApiError('INVALID_VALUE', `A saved host cannot be called "${id}": ${reserved}; choose another name (--name)`, { id });
    const file = this.readFile();
    if (file.hosts.some((h) => h.id === id)) throw new ApiError('CONFLICT', `A host called "${id}" is already saved`);
    let e = this.entries.get(id);
    if (e && !e.saved) {
      e.saved = true;
    } else if (!e) {
      e = this.register(id, d, true);
    }
    file.hosts.push({ id, destination: d.text });
    // (a host added by hand carries no inventory groups or options)
    this.writeFile(file);
    this.events.emit('app.hostsChanged', 'local', {});
    return this.check(id);
  }

  async remove(id: string): Promise<boolean> {
    this.load();
    const file = this.readFile();
    const had = file.hosts.some((h) => h.id === id);
    if (had) this.writeFile({ ...file, hosts: file.hosts.filter((h) => h.id !== id) });
    const e = this.entries.get(id);
    if (e) {
      this.entries.delete(id);
      await this.registry.remove(id);
    }
    if (had || e) {
      this.events.emit('hosts.changed', 'local', { host: null, removed: id });
      this.events.emit('app.hostsChanged', 'local', {});
    }
    return had || e !== undefined;
  }

  /** Connects (first contact: learns the fingerprint without writing anything), then probes privilege and firewalld. */
  async check(id: string): Promise<RemoteHost> {
    const e = this.entry(id);
    try {
      await e.link.verify();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'HOST_KEY_UNKNOWN') {
        const r = await e.link.hostKeyContact().catch(() => undefined);
        e.keyType = r?.keyType ?? null;
      }
      return this.summary(e);
    }
    await this.probe(e);
    return this.summary(e);
  }

  private async probe(e: Entry): Promise<void> {
    e.transport.forgetPrivilege();
    try {
      e.privilege = await e.transport.privilege();
    } catch (err) {
      e.privilege = { ...unknownPrivilege, message: err instanceof Error ? err.message : String(err) };
    }
    // firewalld: one GetNameOwner over the bridge, as the firewall pages would connect.
    try {
      const bus = await e.transport.systemBus();
      const { Message } = await loadDbus();
      const reply = await Promise.race([
        bus.call(new Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'NameHasOwner', signature: 's', body: ['org.fedoraproject.FirewallD1'] })),
        new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer from the bus within 10 s')), 10_000).unref()),
      ]);
      const has = Boolean(reply?.body?.[0]);
      e.firewalld = has ? 'running' : 'not-running';
      e.firewalldMessage = has ? null : `firewalld is not running on ${e.destination.text} (systemctl enable --now firewalld)`;
    } catch (err) {
      e.firewalld = 'no-access';
      e.firewalldMessage = `The system bus of ${e.destination.text} is not reachable: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.changed(e);
  }

  /**
   * A firewall call that firewalld refused (NOT_AUTHORIZED) on a non-root login: the error then
   * says what this login may do and the polkit rule that would allow it. Anything else unchanged.
   */
  async explainRefusal(id: string, feature: string, e: unknown): Promise<unknown> {
    if (feature !== 'firewall' || !(e instanceof ApiError) || e.code !== 'NOT_AUTHORIZED') return e;
    const hint = await this.firewallHint(id);
    if (!hint) return e;
    return new ApiError('NOT_AUTHORIZED', `${e.message}. ${hint.text}`, {
      ...(typeof e.detail === 'object' && e.detail !== null ? e.detail : {}),
      user: hint.user,
      polkitRule: hint.polkitRule,
    });
  }

  /** What a login that firewalld refused may do, and the rule to add (asks again: the admin may just have added it). */
  async firewallHint(id: string): Promise<{ text: string; user: string | null; polkitRule: { path: string; text: string } } | null> {
    const entry = this.entries.get(id);
    if (!entry) return null;
    entry.transport.forgetPrivilege();
    const priv = await entry.transport.privilege().catch(() => entry.privilege);
    if (!priv) return null;
    entry.privilege = priv;
    this.changed(entry);
    const fw = priv.firewall;
    if (fw.route === 'root' || fw.route === 'polkit' || !fw.polkitRule) return null;
    return { text: `${fw.message ?? ''} Add ${fw.polkitRule.path} on the host:\n${fw.polkitRule.text}`.trim(), user: priv.user, polkitRule: fw.polkitRule };
  }

  async acceptHostKey(id: string, fingerprint: string): Promise<RemoteHost> {
    const e = this.entry(id);
    const r = await e.link.hostKeyContact(fingerprint);
    e.keyType = r.keyType ?? e.keyType;
    if (r.status.state === 'host-key-changed') {
      throw new ApiError('HOST_KEY_CHANGED', r.status.message, { fingerprint: r.fingerprint, ssh: r.status.sshSays });
    }
    return this.check(id);
  }

  /** "Review and replace the key" (see SshLink.replaceHostKey), then connects as after an accept. */
  async replaceHostKey(id: string, fingerprint: string): Promise<{ host: RemoteHost; knownHostsEdited: string[] }> {
    const e = this.entry(id);
    const r = await e.link.replaceHostKey(fingerprint);
    e.keyType = r.keyType ?? e.keyType;
    if (r.status.state === 'host-key-changed') throw new ApiError('HOST_KEY_CHANGED', r.status.message, { fingerprint: r.fingerprint, ssh: r.status.sshSays });
    return { host: await this.check(id), knownHostsEdited: r.files };
  }

  async installHelper(id: string): Promise<{ installed: boolean; path: string; steps: string[] }> {
    const e = this.entry(id);
    const r = await e.transport.installHelper();
    e.privilege = await e.transport.privilege().catch(() => e.privilege);
    this.changed(e);
    return r;
  }

  async dispose(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(all.map((e) => e.host.dispose()));
    if (this.runtimeDir && !this.opts.runtimeDir) rmSync(this.runtimeDir, { recursive: true, force: true });
  }
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, k)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}
