import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HELPER_INSTALL_PATH, HELPER_SOURCE_INSTALL_PATH, POLKIT_ACTION_ID, POLKIT_POLICY_PATH, helperLauncher, helperPolicy, helperSource } from '../../electron/helper/source';
import { repo } from './support/run';

/**
 * Packaging needs internet (electron-builder downloads Electron and fpm), so it is not run
 * here; its configuration is: every file mapped into the deb and rpm exists, lands where
 * HostDeck looks for it, and the polkit policy parses, names our action and points pkexec at
 * the installed helper.
 */
interface Builder {
  deb: { fpm: string[]; depends: string[] };
  rpm: { fpm: string[]; depends: string[] };
}
const builder = parse(readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8')) as Builder;

describe('packaging of the helper (electron-builder.yml)', () => {
  for (const kind of ['deb', 'rpm'] as const) {
    it(`${kind}: maps existing files to the helper launcher, its source and the policy paths, and depends on polkit and python3`, () => {
      const map = new Map(builder[kind].fpm.map((m) => m.split('=') as [string, string]).map(([src, dest]) => [dest, src]));
      expect([...map.keys()].sort()).toEqual([HELPER_INSTALL_PATH, HELPER_SOURCE_INSTALL_PATH, POLKIT_POLICY_PATH].sort());
      for (const src of map.values()) expect(existsSync(path.join(repo, src)), src).toBe(true);
      const helper = path.join(repo, map.get(HELPER_INSTALL_PATH)!);
      expect(statSync(helper).mode & 0o755).toBe(0o755);
      expect(readFileSync(helper, 'utf8')).toBe(helperLauncher);
      expect(readFileSync(helper, 'utf8').split('\n')[0]).toBe('#!/usr/bin/python3 -IS');
      expect(readFileSync(path.join(repo, map.get(HELPER_SOURCE_INSTALL_PATH)!), 'utf8')).toBe(helperSource);
      // the launcher runs exactly the path the source is installed at
      expect(helperLauncher).toContain(`SOURCE_DIR = ('usr', 'libexec', 'hostdeck')\nSOURCE_NAME = '${path.basename(HELPER_SOURCE_INSTALL_PATH)}'`);
      expect(readFileSync(path.join(repo, map.get(POLKIT_POLICY_PATH)!), 'utf8')).toBe(helperPolicy);
      expect(builder[kind].depends.join(' ')).toMatch(/pkexec|polkit/);
      expect(builder[kind].depends).toContain('python3');
    });
  }

  it('the policy parses as XML, has one action with our id, auth_admin_keep, and exec.path = the installed helper', () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(helperPolicy) as {
      policyconfig: { action: { '@id': string; defaults: Record<string, string>; annotate: { '@key': string; '#text': string } } };
    };
    const action = xml.policyconfig.action;
    expect(action['@id']).toBe(POLKIT_ACTION_ID);
    expect(POLKIT_POLICY_PATH).toBe(`/usr/share/polkit-1/actions/${POLKIT_ACTION_ID}.policy`);
    expect(action.defaults).toEqual({ allow_any: 'auth_admin', allow_inactive: 'auth_admin', allow_active: 'auth_admin_keep' });
    expect(action.annotate).toEqual({ '@key': 'org.freedesktop.policykit.exec.path', '#text': HELPER_INSTALL_PATH });
    expect(HELPER_INSTALL_PATH).toBe('/usr/libexec/hostdeck/hostdeck-helper');
  });
});
