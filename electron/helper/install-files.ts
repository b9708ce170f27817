import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, mkdtempSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { HELPER_INSTALL_PATH, HELPER_SOURCE_INSTALL_PATH, POLKIT_ACTION_ID, POLKIT_POLICY_PATH, helperLauncher, helperPolicy, helperSource } from './source';

/**
 * `hostdeck helper install-files [DIR]`: the helper and its polkit policy, written for the two
 * `sudo install` commands that put them in place as root. Between this step and those commands
 * the files must stay exactly ours: root installs whatever DIR/hostdeck-helper is then, as the
 * program pkexec runs as root. So DIR is a fresh private directory (mkdtemp, 0700) unless given,
 * and a given DIR must be a real directory (no symbolic link on the way) of this user, writable by
 * nobody else, under parents that only root or this user can change (or sticky, as /tmp).
 * Re-running into the same directory after an update replaces the files atomically.
 */
export interface InstalledFiles {
  dir: string;
  /** The launcher (what pkexec runs) and the helper's source it runs. */
  helper: string;
  source: string;
  policy: string;
  /** The root commands that install them (print them as they are). */
  commands: string[];
}

const uid = () => process.getuid?.() ?? 0;

function refuse(message: string, dir: string): never {
  throw new ApiError('UNSAFE_DIRECTORY', `${message}. Run "hostdeck helper install-files" without a directory: it makes a new private one.`, { dir });
}

/** Every existing component of abs, from "/", is a directory (not a link) only root or this user can change. */
function checkPath(abs: string): boolean {
  const parts = abs.split('/').filter(Boolean);
  let cur = '/';
  for (let i = 0; i <= parts.length; i++) {
    if (i > 0) cur = path.join(cur, parts[i - 1]!);
    let st;
    try {
      st = lstatSync(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    const last = i === parts.length;
    if (st.isSymbolicLink()) refuse(`${cur} is a symbolic link: the files for root must lie on a path no one can redirect`, abs);
    if (!st.isDirectory()) refuse(`${cur} is not a directory`, abs);
    if (last) {
      if (st.uid !== uid()) refuse(`${abs} belongs to uid ${st.uid}, not to you (uid ${uid()}): whoever owns it could swap the helper before "sudo install" copies it`, abs);
      if (st.mode & 0o022) refuse(`${abs} is writable by ${st.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)}): someone else could swap the helper before "sudo install" copies it`, abs);
    } else if ((st.uid !== 0 && st.uid !== uid()) || (st.mode & 0o022 && !(st.mode & 0o1000))) {
      refuse(`${cur} can be changed by someone else (owner uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8)}): they could replace ${abs} before "sudo install" copies from it`, abs);
    }
  }
  return true;
}

/** Writes data as dir/name: a temp file (O_EXCL, random name), fsync, chmod, rename over the old one. */
function replaceFile(dir: string, name: string, data: string, mode: number): string {
  const target = path.join(dir, name);
  const tmp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    const buf = Buffer.from(data, 'utf8');
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, mode);
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  return target;
}

export function installHelperFiles(dir?: string): InstalledFiles {
  let abs: string;
  if (dir === undefined || dir === '') {
    abs = mkdtempSync(path.join(tmpdir(), 'hostdeck-helper-'));
    chmodSync(abs, 0o700);
    checkPath(abs);
  } else {
    abs = path.resolve(dir);
    if (!checkPath(abs)) {
      // create it (and missing parents) private, then check the whole path as if it had been there
      mkdirSync(abs, { recursive: true, mode: 0o700 });
      checkPath(abs);
    }
  }
  const helper = replaceFile(abs, 'hostdeck-helper', helperLauncher, 0o755);
  const source = replaceFile(abs, 'hostdeck-helper.py', helperSource, 0o644);
  const policy = replaceFile(abs, `${POLKIT_ACTION_ID}.policy`, helperPolicy, 0o644);
  return { dir: abs, helper, source, policy, commands: installCommands(abs) };
}

/** The root commands that install the files of DIR. */
export function installCommands(dir: string): string[] {
  return [
    `sudo install -D -o root -g root -m 0644 ${path.join(dir, 'hostdeck-helper.py')} ${HELPER_SOURCE_INSTALL_PATH}`,
    `sudo install -D -o root -g root -m 0755 ${path.join(dir, 'hostdeck-helper')} ${HELPER_INSTALL_PATH}`,
    `sudo install -D -o root -g root -m 0644 ${path.join(dir, `${POLKIT_ACTION_ID}.policy`)} ${POLKIT_POLICY_PATH}`,
  ];
}
