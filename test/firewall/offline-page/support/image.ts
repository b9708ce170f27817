import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startOfflineCmd } from '../../offline-write/offline-cmd';

/** A firewalld image for the offline page's suites: a temp root that is the host (no bus, so its firewall is its files). */
export interface FirewallImage {
  /** The image's root (`openApp({ root })`). */
  root: string;
  /** Its /etc/firewalld. */
  etc: string;
  /** Removes the temp dir. */
  remove(): void;
}

export interface ImageOptions {
  /** firewall-offline-cmd argvs run over the copy, in order, before the page opens. */
  setup?: string[][];
  /** DefaultZone= written to its firewalld.conf. */
  defaultZone?: string;
}

/**
 * A copy of this machine's firewalld tree (/usr/lib/firewalld and firewalld.conf) under a temp
 * root, with `setup` applied by firewall-offline-cmd's own code (one Python for all the calls,
 * each in a private mount namespace over the copy: test/firewall/offline-write/offline-cmd.ts).
 */
export async function makeImage(prefix: string, opts: ImageOptions = {}): Promise<FirewallImage> {
  const dir = mkdtempSync(path.join(tmpdir(), `hostdeck-${prefix}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const root = path.join(dir, 'root');
    const etc = path.join(root, 'etc/firewalld');
    mkdirSync(etc, { recursive: true });
    mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
    cpSync('/usr/lib/firewalld', path.join(root, 'usr/lib/firewalld'), { recursive: true });
    cpSync('/etc/firewalld/firewalld.conf', path.join(etc, 'firewalld.conf'));
    if (opts.setup?.length) {
      const oc = startOfflineCmd();
      try {
        for (const argv of opts.setup) {
          const r = await oc.run(etc, argv);
          if (r.code !== 0) throw new Error(`firewall-offline-cmd ${argv.join(' ')} (${r.code}): ${r.out}`);
        }
      } finally {
        await oc.close();
      }
    }
    if (opts.defaultZone) {
      const conf = path.join(etc, 'firewalld.conf');
      writeFileSync(conf, readFileSync(conf, 'utf8').replace(/^DefaultZone=.*$/m, `DefaultZone=${opts.defaultZone}`));
    }
    return { root, etc, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
