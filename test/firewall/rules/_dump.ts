// Records the fixtures of rules.test.ts from a real firewalld: npx tsx test/firewall/rules/_dump.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../../electron/api/runtime';
import { startFirewalldSandbox } from '../../support/firewalld-sandbox';
import { addForeignRules, configureRules } from './configure';

const sb = await startFirewalldSandbox();
const rt = new Runtime({ mode: 'cli', local: { root: '/', procSys: '/proc/sys', systemBusAddress: sb.busAddress } });
try {
  configureRules(sb);
  addForeignRules(sb);
  const dir = join(import.meta.dirname, 'fixtures');
  writeFileSync(join(dir, 'firewalld-1.3.3.json'), sb.inNetns('nft', '-j', 'list', 'ruleset'));
  writeFileSync(join(dir, 'firewalld-1.3.3.txt'), sb.inNetns('nft', '-a', 'list', 'ruleset'));
  const s = await rt.api.firewall.state({ refresh: true });
  writeFileSync(join(dir, 'firewalld-1.3.3.model.json'), JSON.stringify({ defaultZone: s.global.defaultZone, runtime: { ...s.runtime, icmptypes: {}, helpers: {} } }) + '\n');
} finally {
  await rt.dispose?.();
  await sb.stop();
}
