import { Runtime } from '../../../electron/api/runtime';

/**
 * Prints `dns.resolved` (through the real runtime: contract validation included) as JSON. Run
 * inside the systemd-resolved sandbox's namespaces, so that link names come from its sysfs.
 */
const rt = new Runtime({ mode: 'cli', local: { root: '/', systemBusAddress: process.argv[2] } });
try {
  console.log(JSON.stringify(await rt.api.dns.resolved({})));
} finally {
  await rt.dispose();
}
