/** Runs HostDeck's live check inside the test's network namespace and prints the results as JSON. */
import { liveCheck } from '../../../electron/dns/live-check';

const [name = 'exists.example.', ...servers] = process.argv.slice(2);
liveCheck(servers, name, 'A', 1500).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
