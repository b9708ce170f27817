import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { Message } from '@jellybrick/dbus-next';
import { ApiError } from '../../../shared/api/errors';
import type { Host } from '../../hosts/transport';

/**
 * The host's running nftables ruleset (`nft -j list ruleset`), read, never written. It is
 * read in the network namespace firewalld itself runs in (its process, found on the host's bus):
 * the machine's own namespace on a real host, a test's namespace for the tests' sandbox. Only
 * for a host whose bus is on this machine (capabilities.localBus): over SSH the ruleset would
 * have to be listed as root on the far side, through a helper verb HostDeck does not have yet.
 * Listing needs CAP_NET_ADMIN in that namespace: root.
 */
export async function readHostRuleset(host: Host, deadlineMs = 10_000): Promise<{ ruleset: unknown; where: string }> {
  const caps = host.transport.capabilities();
  if (caps.firewall !== 'live') throw new ApiError('UNSUPPORTED', `A trace needs the host's running firewall: ${caps.missing.firewall ?? 'this host has only a record of it'}. Explain answers from the record.`);
  if (!caps.localBus) {
    throw new ApiError('UNSUPPORTED', "Tracing needs the host's nftables ruleset, which only root can list there (nft list ruleset); HostDeck has no helper verb for it over SSH yet. Explain answers for this host.");
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new ApiError('NOT_AUTHORIZED', "Reading the host's nftables ruleset needs root (nft list ruleset needs CAP_NET_ADMIN): run HostDeck as root for a trace, or use explain.");
  }
  const bus = await host.transport.systemBus();
  let pid: number;
  try {
    const reply = await bus.call(
      new Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'GetConnectionUnixProcessID', signature: 's', body: ['org.fedoraproject.FirewallD1'] }),
    );
    pid = Number(reply?.body?.[0]);
  } catch (e) {
    throw new ApiError('FIREWALLD_NOT_RUNNING', `firewalld is not on the host's bus: ${(e as Error).message}`);
  }
  if (!Number.isInteger(pid) || pid <= 0) throw new ApiError('FIREWALLD_NOT_RUNNING', 'The bus did not say which process firewalld is');
  let ns: string;
  try {
    ns = readlinkSync(`/proc/${pid}/ns/net`);
  } catch (e) {
    throw new ApiError('IO_ERROR', `Cannot see firewalld's network namespace (/proc/${pid}/ns/net): ${(e as Error).message}`);
  }
  const own = ns === readlinkSync('/proc/self/ns/net');
  // nsenter only reads there: `nft list` changes nothing.
  const [cmd, args] = own ? ['/usr/sbin/nft', ['-j', 'list', 'ruleset']] : ['/usr/bin/nsenter', [`--net=/proc/${pid}/ns/net`, '/usr/sbin/nft', '-j', 'list', 'ruleset']];
  const text = await new Promise<string>((resolve, reject) => {
    execFile(cmd, args as string[], { timeout: deadlineMs, maxBuffer: 256 * 1024 * 1024, killSignal: 'SIGKILL', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } }, (err, stdout, stderr) => {
      if (err) {
        const why = (err as { killed?: boolean }).killed ? `did not answer within ${deadlineMs} ms` : stderr.trim() || err.message;
        reject(new ApiError(/ENOENT/.test(err.message) ? 'UNSUPPORTED' : 'IO_ERROR', `nft -j list ruleset failed: ${why}${/ENOENT/.test(err.message) ? ' (install nftables)' : ''}`));
      } else resolve(stdout);
    });
  });
  let ruleset: unknown;
  try {
    ruleset = JSON.parse(text);
  } catch (e) {
    throw new ApiError('PARSE_ERROR', `nft -j list ruleset printed no JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray((ruleset as { nftables?: unknown })?.nftables)) throw new ApiError('PARSE_ERROR', 'nft -j list ruleset: no "nftables" array');
  return { ruleset, where: own ? "this machine's network namespace" : `the network namespace of firewalld (pid ${pid})` };
}
