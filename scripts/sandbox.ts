// `npm run sandbox`: a real firewalld in its own network namespace on a private bus, for trying
// HostDeck or firewall-cmd by hand. Prints what to export; stops everything on Ctrl-C.
import { startFirewalldSandbox } from '../test/support/firewalld-sandbox';

const sb = await startFirewalldSandbox();
console.log(`firewalld ${sb.firewallCmd('--version').trim()} is running in its sandbox (${sb.dir}).`);
console.log('In another shell:');
console.log(`  export DBUS_SYSTEM_BUS_ADDRESS=${sb.busAddress}`);
console.log('  firewall-cmd --list-all        # or: npm run -s hostdeck -- serve');
console.log('Press Ctrl-C to stop it.');
const stop = () => {
  sb.stop().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(`Could not stop the sandbox cleanly: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
