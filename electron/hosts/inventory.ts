import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { hostsFromInventory, type InventoryHost, type InventorySkip } from '../../shared/hosts/inventory';

/**
 * Reads an Ansible inventory with Ansible itself: `ansible-inventory -i FILE --list` (INI, YAML,
 * dynamic plugins and scripts alike: whatever Ansible understands), and a --limit pattern
 * matched by `ansible -i FILE PATTERN --list-hosts` (Ansible's own pattern rules: `web:!web-07`,
 * `&`, wildcards, `~regex`). No vault password is given: vaulted values stay encrypted and are
 * never stored (shared/hosts/inventory.ts).
 */

export const ANSIBLE_INVENTORY = '/usr/bin/ansible-inventory';
export const ANSIBLE = '/usr/bin/ansible';
export const ANSIBLE_PLAYBOOK = '/usr/bin/ansible-playbook';

/** Environment for Ansible's tools: an inventory Ansible cannot parse is an error, not an empty list with a warning. */
export function ansibleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'True',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
    ANSIBLE_COMMAND_WARNINGS: 'False',
    ...extra,
  };
}

export function run(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? ansibleEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? new ApiError('UNSUPPORTED', `${cmd} is not installed: install Ansible (apt install ansible-core, or pip install ansible-core)`, { missing: cmd }) : e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** The inventory path, checked: it exists (a file, or a directory of inventory sources). */
export function inventoryPath(file: string): string {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new ApiError('IO_ERROR', `${file}: no such inventory file or directory`, { path: file });
  const st = statSync(abs);
  if (!st.isFile() && !st.isDirectory()) throw new ApiError('IO_ERROR', `${file} is not a file or directory`, { path: file });
  return abs;
}

function ansibleError(what: string, r: { code: number | null; stderr: string; stdout: string }): ApiError {
  const words = (r.stderr || r.stdout).trim().split('\n').slice(-8).join('\n');
  return new ApiError('INVALID_INPUT', `${what} failed (exit ${r.code ?? 'killed'}): ${words}`);
}

/** Host names matching an Ansible pattern in this inventory, by Ansible's own rules. */
export async function matchPattern(inventory: string, pattern: string): Promise<Set<string>> {
  if (pattern.startsWith('-')) throw new ApiError('INVALID_INPUT', `--limit ${JSON.stringify(pattern)}: a pattern cannot start with "-"`);
  const r = await run(ANSIBLE, ['-i', inventory, '--list-hosts', '--', pattern]);
  if (r.code !== 0) throw ansibleError(`ansible --list-hosts ${JSON.stringify(pattern)}`, r);
  const names = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    // "  hosts (2):" then one host per line, indented by four spaces.
    const m = /^ {4}(\S.*)$/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

/** The hosts of an inventory (optionally only those matching `limit`), mapped onto HostDeck's SSH hosts. */
export async function readInventory(file: string, limit?: string): Promise<{ hosts: InventoryHost[]; skipped: InventorySkip[]; notes: string[] }> {
  const inv = inventoryPath(file);
  const r = await run(ANSIBLE_INVENTORY, ['-i', inv, '--list']);
  if (r.code !== 0) throw ansibleError(`ansible-inventory -i ${file} --list`, r);
  let list: unknown;
  try {
    list = JSON.parse(r.stdout);
  } catch (e) {
    throw new ApiError('PARSE_ERROR', `ansible-inventory -i ${file} --list printed no JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const only = limit ? await matchPattern(inv, limit) : undefined;
  const out = hostsFromInventory(list, only);
  if (limit && only && only.size === 0) throw new ApiError('INVALID_INPUT', `--limit ${JSON.stringify(limit)} matches no host in ${file}`);
  return out;
}
