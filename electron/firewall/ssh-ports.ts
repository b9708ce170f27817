import type { HostTransport } from '../hosts/transport';

/**
 * SSH ports of the host: `Port` lines of sshd_config (and sshd_config.d/*.conf), read through
 * the host's transport, plus the server port of the SSH connection HostDeck itself runs in
 * (SSH_CONNECTION = "client_ip client_port server_ip server_port") when it manages the local host.
 */
export async function sshPortsOf(t: HostTransport, env: NodeJS.ProcessEnv = process.env, local = true): Promise<number[]> {
  const ports = new Set<number>();
  const [main, dropins] = await t.read([
    { path: '/etc/ssh/sshd_config', content: true, follow: true, maxBytes: 1024 * 1024 },
    { path: '/etc/ssh/sshd_config.d', list: true, follow: true },
  ]);
  const names = (dropins?.entries ?? []).map((e) => e.name).filter((n) => n.endsWith('.conf')).sort();
  const extra = names.length ? await t.read(names.map((n) => ({ path: `/etc/ssh/sshd_config.d/${n}`, content: true, follow: true, maxBytes: 1024 * 1024 }))) : [];
  for (const f of [main, ...extra]) {
    if (!f?.bytes) continue;
    for (const line of f.bytes.toString('utf8').split('\n')) {
      const m = /^\s*Port\s+(\d+)\s*(?:#.*)?$/i.exec(line);
      if (m) ports.add(Number(m[1]));
    }
  }
  if (ports.size === 0) ports.add(22);
  const conn = local ? env.SSH_CONNECTION?.trim().split(/\s+/) : undefined;
  if (conn?.length === 4 && /^\d+$/.test(conn[3]!)) ports.add(Number(conn[3]));
  return [...ports].sort((a, b) => a - b);
}
