/**
 * "HostDeck running as root with an image open" for the image revert attack: schedules a sysctl
 * revert timer through the image transport (the product's route: ImageTransport.helper), prints
 * the helper's answer and exits. Args: IMAGE_ROOT PROC_SYS_COPY. The timer runs in 10 s: time for
 * the attacker's swap even on a loaded machine.
 */
import { ImageTransport } from '../../../electron/hosts/image';

const [root, procSys] = process.argv.slice(2) as [string, string];
const image = new ImageTransport({ root, procSys });
const answer = await image.helper(
  { verb: 'schedule-revert', seconds: 10, plan: { kind: 'sysctl', settings: [{ key: 'net.core.somaxconn', value: '4096', applied: '1111' }] } },
  { elevate: true },
);
process.stdout.write(JSON.stringify(answer) + '\n');
