import { readFileSync } from 'node:fs';

/**
 * The helper program's text. In the built bundle (out/main) the build inlines it
 * (electron.vite.config.ts defines __HOSTDECK_HELPER_SOURCE__ from hostdeck-helper.py), so a
 * packaged or copied HostDeck always carries the helper it was built with; run from the
 * sources (tests, tsx) it is read from the file next to this one.
 */
declare const __HOSTDECK_HELPER_SOURCE__: string | undefined;
declare const __HOSTDECK_HELPER_POLICY__: string | undefined;
declare const __HOSTDECK_HELPER_LAUNCHER__: string | undefined;

export const helperSource: string =
  typeof __HOSTDECK_HELPER_SOURCE__ === 'string'
    ? __HOSTDECK_HELPER_SOURCE__
    : readFileSync(new URL('./hostdeck-helper.py', import.meta.url), 'utf8');

/**
 * The launcher installed at HELPER_INSTALL_PATH (electron/helper/hostdeck-helper-launcher.py): it
 * runs the helper source installed beside it from root-owned, checked bytecode instead of
 * compiling it on every pkexec or sudo start.
 */
export const helperLauncher: string =
  typeof __HOSTDECK_HELPER_LAUNCHER__ === 'string'
    ? __HOSTDECK_HELPER_LAUNCHER__
    : readFileSync(new URL('./hostdeck-helper-launcher.py', import.meta.url), 'utf8');

/** HostDeck's polkit policy (electron/helper/dev.hostdeck.helper.policy), for `hostdeck helper install-files`. */
export const helperPolicy: string =
  typeof __HOSTDECK_HELPER_POLICY__ === 'string'
    ? __HOSTDECK_HELPER_POLICY__
    : readFileSync(new URL('./dev.hostdeck.helper.policy', import.meta.url), 'utf8');

export { HELPER_INSTALL_PATH, HELPER_SOURCE_INSTALL_PATH, HELPER_BYTECODE_PATH, POLKIT_ACTION_ID, POLKIT_POLICY_PATH, PYTHON3 } from './paths';
