/**
 * Where the helper lives and what runs it: apart from source.ts, whose 96 KB of helper text a
 * call that only needs a path (every local read's transport) should not evaluate (issue #22).
 */

/** Where deb and rpm packages install the helper (the polkit policy's exec.path names it). */
export const HELPER_INSTALL_PATH = '/usr/libexec/hostdeck/hostdeck-helper';
/**
 * The helper's source beside its launcher (deb, rpm, install-files). An SSH host's
 * `install-helper` puts the whole helper at HELPER_INSTALL_PATH instead (one file, compiled on
 * each start); both layouts answer the verb `version` with the sha256 of the source.
 */
export const HELPER_SOURCE_INSTALL_PATH = '/usr/libexec/hostdeck/hostdeck-helper.py';
/** Where the launcher keeps the helper's bytecode (written by root only; see the launcher). */
export const HELPER_BYTECODE_PATH = '/var/lib/hostdeck/bytecode/hostdeck-helper.pyc';

/** HostDeck's polkit action and where its policy is installed. */
export const POLKIT_ACTION_ID = 'dev.hostdeck.helper';
export const POLKIT_POLICY_PATH = `/usr/share/polkit-1/actions/${POLKIT_ACTION_ID}.policy`;

/** The interpreter the helper runs with (never looked up in PATH). */
export const PYTHON3 = '/usr/bin/python3';
