import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inetAtonExact } from '../../../shared/dns/inet';
import { runWithResolvConf, shq, supportDir, requireTool, type NsRun } from './tools';

export interface LoggedQuery {
  server: string;
  proto: 'udp' | 'tcp';
  qname: string;
  qtype: number;
}

const repoRoot = join(supportDir, '../../..');

let serverBundle = '';
/**
 * The responder bundled once per test process: started through tsx it spent ~0.6 s compiling
 * before it answered, in every one of the ~120 namespaces the DNS tests make.
 */
function serverScript(): string {
  if (serverBundle && existsSync(serverBundle)) return serverBundle;
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-dns-server-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  serverBundle = join(dir, 'dns-server.mjs');
  buildSync({ entryPoints: [join(supportDir, 'dns-server.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: serverBundle, logLevel: 'error' });
  return serverBundle;
}

/** Refuses fixtures whose nameservers are not loopback, so no test packet can leave the namespace. */
export function assertLoopbackOnly(text: string): void {
  for (const line of text.split('\n')) {
    const m = /^nameserver[ \t]+([^ \t\r#;]+)/.exec(line);
    if (!m) continue;
    // The address without a %scope (the scope picks an interface, it does not change the address).
    const a = m[1]!.replace(/%.*$/, '');
    const v4 = inetAtonExact(a);
    const ok = v4 !== null ? Math.floor(v4 / 2 ** 24) === 127 : a === '::1';
    if (!ok) throw new Error(`refusing a test fixture with non-loopback nameserver ${a}`);
  }
}

/** The namespace's files: resolv.conf as given (bytes kept), nsswitch "hosts: dns", an empty hosts, the query log. */
function nsFiles(dir: string, resolv: string): { rc: string; log: string; ready: string } {
  const rc = join(dir, 'resolv.conf');
  writeFileSync(rc, Buffer.from(resolv, 'latin1'));
  writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: dns\n');
  writeFileSync(join(dir, 'hosts'), '');
  return { rc, log: join(dir, 'queries.log'), ready: join(dir, 'ready') };
}

/** Shell lines that start the logging DNS server and wait (10 s at most) for it to say it is ready. */
function serverStart(serverArgs: string[], ready: string): string[] {
  return [
    `${serverArgs.map(shq).join(' ')} & SERVER=$!`,
    `i=0; while [ ! -e ${shq(ready)} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`,
    `[ -e ${shq(ready)} ] || { echo "dns server did not start" >&2; kill $SERVER; exit 97; }`,
  ];
}

/**
 * Inside fresh network + mount + UTS namespaces: lo up, the logging DNS server on 127.0.0.1-5 and
 * ::1, `resolv` bind-mounted over /etc/resolv.conf, nsswitch "hosts: dns" and an empty /etc/hosts;
 * runs `command` and returns its result with the queries the server saw, in arrival order.
 */
export function runWithDnsServer(resolv: string, command: string[], opts: { exists?: string[]; refuse?: boolean; env?: Record<string, string>; timeoutS?: number } = {}): NsRun & { queries: LoggedQuery[] } {
  requireTool('ip', 'iproute2');
  assertLoopbackOnly(resolv);
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-dns-ns-'));
  try {
    const { rc, log, ready } = nsFiles(dir, resolv);
    const serverArgs = [process.execPath, serverScript(), log, ready, '30'];
    if (opts.exists?.length) serverArgs.push('--exists', opts.exists.join(','));
    if (opts.refuse) serverArgs.push('--refuse');
    const pre = [
      `cd ${shq(repoRoot)}`,
      ...serverStart(serverArgs, ready),
    ].join('\n');
    const r = runWithResolvConf(rc, command, {
      net: true,
      mounts: [
        [join(dir, 'nsswitch.conf'), '/etc/nsswitch.conf'],
        [join(dir, 'hosts'), '/etc/hosts'],
      ],
      env: opts.env,
      pre,
      // musl returns on the first server's answers; the copies sent to the other servers may still
      // be queued in the responder. Wait until its log stops growing before stopping it.
      post: `prev=-1; while :; do cur=$(cat ${shq(log)} 2>/dev/null | wc -c); [ "$cur" = "$prev" ] && break; prev=$cur; sleep 0.2; done; kill $SERVER; wait $SERVER 2>/dev/null`,
      timeoutS: opts.timeoutS ?? 10,
    });
    const queries = existsSync(log)
      ? readFileSync(log, 'latin1')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as LoggedQuery)
      : [];
    return { ...r, queries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * runWithDnsServer for several commands against the same resolv.conf: one namespace and one DNS
 * server, the commands one after another, each with the queries that arrived while it ran (the
 * log is cut where it stood once it stopped growing after the command, as runWithDnsServer
 * waits before stopping the server). Each command runs under `env -i` and its own `timeout`.
 */
export function runManyWithDnsServer(resolv: string, commands: string[][], opts: { exists?: string[]; timeoutS?: number } = {}): (NsRun & { queries: LoggedQuery[] })[] {
  requireTool('ip', 'iproute2');
  assertLoopbackOnly(resolv);
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-dns-ns-'));
  try {
    const { rc, log, ready } = nsFiles(dir, resolv);
    const serverArgs = [process.execPath, serverScript(), log, ready, String(30 + 10 * commands.length)];
    if (opts.exists?.length) serverArgs.push('--exists', opts.exists.join(','));
    const perCommand = opts.timeoutS ?? 10;
    const quiet = `prev=-1; while :; do cur=$(cat ${shq(log)} 2>/dev/null | wc -c); [ "$cur" = "$prev" ] && break; prev=$cur; sleep 0.2; done`;
    const steps = commands.map((cmd, i) => {
      const out = shq(join(dir, `out.${i}`));
      return [`env -i timeout ${perCommand} ${cmd.map(shq).join(' ')} >${out}.stdout 2>${out}.stderr; echo $? >${out}.rc`, quiet, `echo $cur >${out}.end`].join('\n');
    });
    const pre = [
      `cd ${shq(repoRoot)}`,
      ...serverStart(serverArgs, ready),
      'set +e', // a command's failure is its result, not the end of the others
      ...steps,
    ].join('\n');
    const r = runWithResolvConf(rc, ['true'], {
      net: true,
      mounts: [
        [join(dir, 'nsswitch.conf'), '/etc/nsswitch.conf'],
        [join(dir, 'hosts'), '/etc/hosts'],
      ],
      pre,
      post: `kill $SERVER; wait $SERVER 2>/dev/null`,
    });
    if (r.status !== 0) throw new Error(`the namespace for ${commands.length} commands failed (${r.status}): ${r.stderr}`);
    const text = existsSync(log) ? readFileSync(log, 'latin1') : '';
    let start = 0;
    return commands.map((_, i) => {
      const f = (ext: string) => readFileSync(join(dir, `out.${i}.${ext}`), 'latin1');
      const end = Number(f('end').trim());
      const queries = text
        .slice(start, end)
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LoggedQuery);
      start = end;
      return { status: Number(f('rc').trim()), stdout: f('stdout'), stderr: f('stderr'), queries };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
