import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * SSH ports of the host: `Port` lines of sshd_config (and sshd_config.d/*.conf) under the
 * host's root, plus the server port of the SSH connection HostDeck itself runs in
 * (SSH_CONNECTION = "client_ip client_port server_ip server_port") when it manages the local host.
 */
export async function sshPortsOf(root: string, env: NodeJS.ProcessEnv = process.env, local = true): Promise<number[]> {
  const ports = new Set<number>();
  const files = [join(root, 'etc/ssh/sshd_config')];
  try {
    const dir = join(root, 'etc/ssh/sshd_config.d');
    for (const f of (await readdir(dir)).sort()) if (f.endsWith('.conf')) files.push(join(dir, f));
  } catch {
    /* no drop-in directory */
  }
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = /^\s*Port\s+(\d+)\s*(?:#.*)?$/i.exec(line);
      if (m) ports.add(Number(m[1]));
    }
  }
  if (ports.size === 0) ports.add(22);
  const conn = local ? env.SSH_CONNECTION?.trim().split(/\s+/) : undefined;
  if (conn?.length === 4 && /^\d+$/.test(conn[3]!)) ports.add(Number(conn[3]));
  return [...ports].sort((a, b) => a - b);
}
