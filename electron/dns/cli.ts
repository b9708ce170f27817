import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../shared/api/errors';
import type { DnsCheck, DnsPlan, DnsPod } from '../../shared/dns/contract';
import { operationByChannel } from '../../shared/api/by-feature';
import { inputLimit } from '../../shared/api/define';
import type { RegisterCommands } from '../cli/context';

/** `hostdeck dns ...`: check, plan, pod, live, owner, save, resolved. Every command takes --json. */

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function parseEnv(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new ApiError('INVALID_INPUT', `--env expects VAR=VALUE, got "${p}"`);
    env[p.slice(0, i)] = p.slice(i + 1);
  }
  return env;
}

/** The bytes of FILE, or of stdin for "-". */
function readInput(file: string): Buffer {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    throw new ApiError('IO_ERROR', `${file === '-' ? 'stdin' : file}: ${(e as Error).message}`);
  }
}

/** With --root, FILE is inside that root; without, FILE is a path on this machine. */
function fileArg(file: string | undefined, root: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  return root ? file : resolve(file);
}

function libcOpt(v: string | undefined): 'glibc' | 'musl' {
  if (v === undefined || v === 'glibc' || v === 'musl') return v ?? 'glibc';
  throw new ApiError('INVALID_INPUT', `--libc must be glibc or musl, not "${v}"`);
}

export function humanCheck(r: DnsCheck): string {
  const lines = [
    `${r.path} as ${r.libc} reads it`,
    `  nameservers: ${r.nameservers.join(', ') || '(none)'}`,
    ...(r.ignoredNameservers.length ? [`  ignored:     ${r.ignoredNameservers.join(', ')}`] : []),
    `  search:      ${r.search.map((s) => JSON.stringify(s)).join(' ') || '(none)'}`,
    ...(r.sortlist.length ? [`  sortlist:    ${r.sortlist.join(' ')}`] : []),
    `  options:     ${Object.entries(r.options)
      .filter(([, v]) => v !== false)
      .map(([k, v]) => (v === true ? k : `${k}:${v}`))
      .join(' ')}`,
  ];
  if (r.owner) lines.push(`  owner:       ${r.owner.name}`, ...r.owner.changeInstead.map((c) => `               ${c}`));
  if (r.warnings.length) {
    lines.push('', `${r.warnings.length} finding(s):`);
    for (const w of r.warnings) lines.push(`  ${w.line ? `line ${w.line}` : 'file'}: ${w.severity} ${w.code}: ${w.message}`, `      fix: ${w.fix}`);
  }
  return lines.join('\n');
}

export function humanPlan(p: DnsPlan): string {
  const out = [`${p.libc} looks up "${p.input}" as:`];
  p.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s.name}  (${s.reason})`));
  if (p.stop) out.push(`  then stops: ${p.stop}`);
  out.push(`${p.queries.length} name(s) x ${p.types.join('+')} = ${p.packets} packet(s) when nothing exists`);
  for (const a of p.advice) out.push(`advice: ${a}`);
  return out.join('\n');
}

function humanPod(p: DnsPod): string {
  const out = ['# resolv.conf in the pod', p.resolvConf.trimEnd(), ''];
  for (const e of p.events) out.push(`event ${e.reason}: ${e.message}`);
  for (const v of p.validation) out.push(`invalid: ${v}`);
  if (p.optionsOrderUnstable) out.push('note: the kubelet writes options in Go map order, which varies between pods');
  for (const pl of p.plans) out.push('', humanPlan(pl));
  out.push('', '# pod spec snippet', p.yaml.trimEnd());
  return out.join('\n');
}

export const registerDnsCommands: RegisterCommands = (program, cli) => {
  const dns = program.command('dns').description('resolv.conf as glibc and musl read it: check, query plans, Kubernetes pod DNS');

  dns
    .command('check [file]')
    .description('how the resolver reads resolv.conf: nameservers used and ignored, search list, options, owner, warnings')
    .option('--libc <libc>', 'glibc or musl', 'glibc')
    .option('--hostname <name>', 'hostname for the default search domain (default: this machine)')
    .option('--env <VAR=VALUE>', 'LOCALDOMAIN or RES_OPTIONS as the program would see them (repeatable)', collect)
    .option('--root <dir>', "another system's root directory")
    .option('--json', 'print JSON')
    .action(cli.action(async (file: string | undefined, opts: { libc?: string; hostname?: string; env?: string[]; root?: string; json?: boolean }) => {
      const api = cli.api({ root: opts.root });
      const r = await api.dns.check({ path: fileArg(file, opts.root), libc: libcOpt(opts.libc), hostname: opts.hostname, env: parseEnv(opts.env) });
      cli.print(r, !!opts.json, humanCheck);
    }));

  dns
    .command('plan <name>')
    .description('the exact names the resolver queries for NAME, in order, and the packet count')
    .option('--resolv <file>', 'resolv.conf to use (default: the host\'s)')
    .option('--libc <libc>', 'glibc or musl', 'glibc')
    .option('--family <family>', 'unspec (A+AAAA), inet (A) or inet6 (AAAA)', 'unspec')
    .option('--hostname <name>', 'hostname for the default search domain')
    .option('--exists <fqdn>', 'a name that exists, so the lookup stops there (repeatable)', collect)
    .option('--root <dir>', "another system's root directory")
    .option('--json', 'print JSON')
    .action(cli.action(async (name: string, opts: { resolv?: string; libc?: string; family?: string; hostname?: string; exists?: string[]; root?: string; json?: boolean }) => {
      const api = cli.api({ root: opts.root });
      const family = opts.family as 'unspec' | 'inet' | 'inet6';
      const r = await api.dns.plan({ name, path: fileArg(opts.resolv, opts.root), libc: libcOpt(opts.libc), family, hostname: opts.hostname, existing: opts.exists });
      cli.print(r, !!opts.json, humanPlan);
    }));

  dns
    .command('pod')
    .description("the pod's resolv.conf as the kubelet builds it, with query plans and a dnsConfig snippet")
    .requiredOption('--policy <policy>', 'ClusterFirst, ClusterFirstWithHostNet, Default or None')
    .requiredOption('--namespace <ns>', 'the pod namespace')
    .option('--dns-config <file>', 'YAML file with a dnsConfig (or a pod / pod spec containing one)')
    .option('--cluster-domain <domain>', 'kubelet clusterDomain', 'cluster.local')
    .option('--cluster-dns <ip>', 'kubelet clusterDNS (repeatable; default 10.96.0.10)', collect)
    .option('--node-resolv <file>', "the kubelet's --resolv-conf file (default: this host's resolv.conf; \"\" for none)")
    .option('--host-network', 'the pod uses hostNetwork: true')
    .option('--name <name>', 'a name to plan inside the pod (repeatable)', collect)
    .option('--libc <libc>', 'the container image libc: glibc or musl', 'glibc')
    .option('--root <dir>', "another system's root directory")
    .option('--json', 'print JSON')
    .action(cli.action(async (opts: { policy: string; namespace: string; dnsConfig?: string; clusterDomain: string; clusterDns?: string[]; nodeResolv?: string; hostNetwork?: boolean; name?: string[]; libc?: string; root?: string; json?: boolean }) => {
      const policies = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] as const;
      const policy = policies.find((p) => p === opts.policy);
      if (!policy) throw new ApiError('INVALID_INPUT', `--policy must be one of ${policies.join(', ')}, not "${opts.policy}"`);
      let dnsConfig: unknown;
      if (opts.dnsConfig) {
        let doc: unknown;
        try {
          doc = parseYaml(readFileSync(opts.dnsConfig, 'utf8'));
        } catch (e) {
          throw new ApiError('PARSE_ERROR', `${opts.dnsConfig}: ${(e as Error).message}`);
        }
        const d = doc as { dnsConfig?: unknown; spec?: { dnsConfig?: unknown; template?: { spec?: { dnsConfig?: unknown } } } } | null;
        dnsConfig = d?.spec?.template?.spec?.dnsConfig ?? d?.spec?.dnsConfig ?? d?.dnsConfig ?? d;
      }
      let nodeResolvConf: string | null | undefined;
      if (opts.nodeResolv === '') nodeResolvConf = null;
      else if (opts.nodeResolv !== undefined) nodeResolvConf = readFileSync(opts.nodeResolv, 'utf8');
      const api = cli.api({ root: opts.root });
      const r = await api.dns.pod({
        policy,
        namespace: opts.namespace,
        hostNetwork: !!opts.hostNetwork,
        clusterDomain: opts.clusterDomain,
        clusterDns: opts.clusterDns ?? ['10.96.0.10'],
        nodeResolvConf,
        dnsConfig: dnsConfig as never,
        names: opts.name ?? [],
        libc: libcOpt(opts.libc),
      });
      cli.print(r, !!opts.json, humanPod);
    }));

  dns
    .command('live [name]')
    .description('query each configured nameserver for NAME (default: the root NS) and show answer, latency or error')
    .option('--type <type>', 'A, AAAA or NS', 'A')
    .option('--server <addr>', 'query this server instead of the configured ones (repeatable)', collect)
    .option('--timeout <ms>', 'per-server timeout in ms', '2000')
    .option('--root <dir>', "another system's root directory (its resolv.conf names the servers)")
    .option('--json', 'print JSON')
    .action(cli.action(async (name: string | undefined, opts: { type: string; server?: string[]; timeout: string; root?: string; json?: boolean }) => {
      const api = cli.api({ root: opts.root });
      const type = (name === undefined ? 'NS' : opts.type) as 'A' | 'AAAA' | 'NS';
      const r = await api.dns.liveCheck({ name: name ?? '.', type, servers: opts.server, timeoutMs: Number(opts.timeout) });
      cli.print(r, !!opts.json, (x) =>
        x.results.map((s) => `${s.server.padEnd(28)} ${s.error ? `error: ${s.error}` : `${s.rcode} ${s.latencyMs} ms ${s.answers.join(' ')}`}`).join('\n'),
      );
    }));

  dns
    .command('owner')
    .description('who manages resolv.conf and where to make the change instead')
    .option('--root <dir>', "another system's root directory")
    .option('--json', 'print JSON')
    .action(cli.action(async (opts: { root?: string; json?: boolean }) => {
      const api = cli.api({ root: opts.root });
      const r = await api.dns.read({});
      cli.print(r.owner, !!opts.json, (o) => [`owner: ${o.name}`, ...o.evidence.map((e) => `  - ${e}`), ...o.changeInstead.map((c) => `change instead: ${c}`)].join('\n'));
    }));

  dns
    .command('save <file>')
    .description('write FILE (or - for stdin) to /etc/resolv.conf through the helper: atomic, backed up, refused if the file changed since you read it')
    .option('--expect-sha256 <hex>', 'sha256 of /etc/resolv.conf as you read it (sha256sum /etc/resolv.conf); "none" when it must not exist. Without it, the file as it is now')
    .option('--confirm', 'write even though the new text has dangerous settings (they are listed when refused)')
    .option('--override-owner', 'write even though another program manages the file (it may overwrite your change)')
    .option('--root <dir>', "another system's root directory (an image)")
    .option('--json', 'print JSON')
    .action(cli.action(async (file: string, opts: { expectSha256?: string; confirm?: boolean; overrideOwner?: boolean; root?: string; json?: boolean }) => {
      const bytes = readInput(file);
      const limit = inputLimit((await operationByChannel('dns.save'))!.def);
      if (bytes.length > limit) throw new ApiError('TOO_LARGE', `${file} is ${bytes.length} bytes: dns save takes at most ${limit} bytes`);
      // UTF-8 when it decodes as such, else one character per byte (latin1), as dns.read does.
      const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      const encoding = Buffer.from(utf8, 'utf8').equals(bytes) ? ('utf8' as const) : ('latin1' as const);
      const text = encoding === 'utf8' ? utf8 : bytes.toString('latin1');
      const api = cli.api({ root: opts.root });
      let expectedSha256: string | null;
      if (opts.expectSha256 === undefined) {
        const now = await api.dns.read({});
        expectedSha256 = now.sha256;
        cli.warnPiped(`no --expect-sha256: saving over ${now.path} as it is now (${now.sha256 ?? 'absent'}), without checking that it is the version you read`);
      } else if (opts.expectSha256 === 'none') {
        expectedSha256 = null;
      } else if (/^[0-9a-fA-F]{64}$/.test(opts.expectSha256)) {
        expectedSha256 = opts.expectSha256.toLowerCase();
      } else {
        throw new ApiError('INVALID_INPUT', `--expect-sha256 takes the 64 hex digits sha256sum prints, or none, not "${opts.expectSha256}"`);
      }
      const r = await api.dns.save({ text, encoding, expectedSha256, confirm: !!opts.confirm, overrideOwner: !!opts.overrideOwner });
      cli.print(r, !!opts.json, (x) =>
        [`saved ${x.path} (sha256 ${x.sha256})`, ...(x.backupPath ? [`previous version: ${x.backupPath} (hostdeck helper restore)`] : []), ...(x.inPlace ? ['written in place (the file is bind-mounted)'] : []), ...x.notes].join('\n'),
      );
    }));

  dns
    .command('resolved')
    .description("systemd-resolved's upstream servers and domains per link (over D-Bus)")
    .option('--json', 'print JSON')
    .action(cli.action(async (opts: { json?: boolean }) => {
      const r = await cli.api().dns.resolved({});
      cli.print(r, !!opts.json, (x) =>
        !x.available
          ? `systemd-resolved: not available (${x.reason})`
          : [
              `resolv.conf mode: ${x.global?.resolvConfMode ?? 'unknown'}`,
              `global: ${x.global?.servers.join(' ') || '(no servers)'}  ${domainText(x.global?.domains ?? [])}`,
              ...(x.global?.fallbackServers.length ? [`fallback: ${x.global.fallbackServers.join(' ')}`] : []),
              ...x.links.map((l) => `link ${l.ifindex} (${l.name}): ${l.servers.join(' ') || '(no servers)'}  ${domainText(l.domains)}${l.defaultRoute === false ? '  [not a default route]' : ''}`),
            ].join('\n'),
      );
    }));
};

function domainText(ds: { domain: string; routeOnly: boolean }[]): string {
  return ds.map((d) => (d.routeOnly ? `~${d.domain}` : d.domain)).join(' ');
}
