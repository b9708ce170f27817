// `npm start`: launch the Electron app. Electron's npm package downloads its binary on first
// use; where that cannot happen (no internet), say so in one line and run browser mode on the
// local host instead, so the app's job gets done on any fresh machine.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// Node 18 (Debian 12's own package) fails deep inside Vite; say what is needed instead (README, Set up).
{
  const [maj, min] = process.versions.node.split('.').map(Number);
  if (maj < 20 || (maj === 20 && min < 19) || (maj > 20 && maj < 22) || (maj === 22 && min < 12)) {
    console.error(`HostDeck needs Node 20.19+ or 22.12+ (this is ${process.version}); see README.md, "Set up".`);
    process.exit(1);
  }
}

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  // Resolving the path through the package triggers its lazy download; its output goes to our
  // stderr only when it works, so a failure stays one line below.
  try {
    const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
      cwd: root,
      encoding: 'utf8',
      timeout: 5 * 60_000,
    });
    const path = r.stdout.trim();
    return r.status === 0 && path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

require.resolve('electron/package.json');
const bin = electronBinary();
if (bin) {
  const child = spawn(bin, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('Electron could not be downloaded (no internet?): starting HostDeck in browser mode instead; open the URL below.');
  const child = spawn(process.execPath, [join(root, 'out/main/cli.js'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}
