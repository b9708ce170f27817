import { cancelRevertResultSchema, listBackupsResultSchema, revertStatusSchema, writeFileResultSchema } from '../../shared/helper/protocol';
import type { HelperStatus } from '../../shared/helper/contract';
import type { FeatureHandlers, Host } from '../api/context';
import { unwrapHelper } from './call';
import { hostHelper } from './host';
import { missingForPkexec } from './local';
import { HELPER_INSTALL_PATH, HELPER_SOURCE_INSTALL_PATH, POLKIT_ACTION_ID, POLKIT_POLICY_PATH } from './source';

/** DIR: the new private directory `install-files` prints (never a shared fixed path such as /tmp/x). */
export const MANUAL_STEPS = [
  'hostdeck helper install-files   (prints DIR, a new private directory, and the three commands below with it)',
  `sudo install -D -o root -g root -m 0644 DIR/hostdeck-helper.py ${HELPER_SOURCE_INSTALL_PATH}`,
  `sudo install -D -o root -g root -m 0755 DIR/hostdeck-helper ${HELPER_INSTALL_PATH}`,
  `sudo install -D -o root -g root -m 0644 DIR/${POLKIT_ACTION_ID}.policy ${POLKIT_POLICY_PATH}`,
  'sudo apt install pkexec   (Fedora/RHEL: sudo dnf install polkit)',
];

/** How the host takes changes, from its capabilities (summary(): a host made read-only takes none). */
export function helperStatus(host: Host): HelperStatus {
  const base = { installPath: HELPER_INSTALL_PATH, policyPath: POLKIT_POLICY_PATH, actionId: POLKIT_ACTION_ID, manualSteps: MANUAL_STEPS };
  const { writes } = host.summary().capabilities;
  if (writes === 'none') return { ...base, via: 'none', available: false, missing: [] };
  if (writes === 'root') return { ...base, via: 'root', available: true, missing: [] };
  // sudo -n of the installed helper on an SSH host runs it directly there (its privilege probe says whether sudo allows it).
  if (writes === 'direct' || writes === 'sudo') return { ...base, via: 'direct', available: true, missing: [] };
  const missing = missingForPkexec();
  return { ...base, via: missing.length ? 'none' : 'pkexec', available: missing.length === 0, missing };
}

export const helperHandlers: FeatureHandlers<'helper'> = {
  status({ host }) {
    return helperStatus(host);
  },
  async backups({ host }, input) {
    return unwrapHelper(await hostHelper(host, { verb: 'list-backups', path: input.path }, { elevate: true }), listBackupsResultSchema);
  },
  async restore({ host }, input) {
    return unwrapHelper(await hostHelper(host, { verb: 'restore-backup', path: input.path, backup: input.backup, expectedSha256: input.expectedSha256 }, { elevate: true }), writeFileResultSchema);
  },
  async revertStatus({ host }, input) {
    return unwrapHelper(await hostHelper(host, { verb: 'revert-status', id: input.id }, { elevate: true }), revertStatusSchema);
  },
  async confirm({ host }, input) {
    return unwrapHelper(await hostHelper(host, { verb: 'cancel-revert', id: input.id }, { elevate: true }), cancelRevertResultSchema);
  },
};
