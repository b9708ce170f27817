/**
 * Runs INSIDE a fresh network namespace (`unshare -n`), started by apply-netns.int.test.ts:
 * applies a profile of net.* keys with `hostdeck kernel apply --json` to the real /proc/sys of
 * that namespace, reads the kernel's values back, undoes with `hostdeck kernel undo`, reads
 * again, and prints everything as JSON. It refuses any key outside net.*: only those belong to
 * the new network namespace; anything else would be the host's.
 */
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { keyToPath, normalizeKey } from '../../../shared/kernel/keys';
import { runKernelCli } from './cli';

const [profile, work, parentNetns] = process.argv.slice(2) as [string, string, string];
const keys = readFileSync(profile, 'utf8')
  .split('\n')
  .filter((l) => l.includes('='))
  .map((l) => normalizeKey(l.split('=')[0]!));
if (keys.some((k) => !k.startsWith('net.'))) throw new Error(`refusing non-network keys outside a private copy: ${keys.join(', ')}`);
// Safety belt: never run in the parent's (the host's) network namespace.
if (!parentNetns || readlinkSync('/proc/self/ns/net') === parentNetns) throw new Error('not in a fresh network namespace: run me under unshare -n');

const readAll = () =>
  Object.fromEntries(
    keys.map((k) => {
      try {
        return [k, readFileSync(path.join('/proc/sys', keyToPath(k)), 'utf8').trimEnd()];
      } catch (e) {
        return [k, `<${(e as NodeJS.ErrnoException).code}>`];
      }
    }),
  );

const before = readAll();
const apply = await runKernelCli(['kernel', 'apply', '--from', profile, '--json']);
const after = readAll();
const applyJson = path.join(work, 'apply.json');
writeFileSync(applyJson, apply.out);
const undo = await runKernelCli(['kernel', 'undo', '--from', applyJson, '--json']);
const restored = readAll();
process.stdout.write(JSON.stringify({ before, apply, after, undo, restored }));
