import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What the build reads: a change to any of these makes out/ stale. */
const SOURCES = ['electron', 'shared', 'renderer', 'electron.vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.node.json', 'tsconfig.web.json'];
/** What the build writes; the bench runs all three (the CLI, the preload, the UI through serve). */
const OUTPUTS = ['out/main', 'out/preload', 'out/renderer'];

interface Stamp {
  file: string;
  mtimeMs: number;
}

function walk(p: string, visit: (s: Stamp) => void): void {
  let st;
  try {
    st = statSync(p);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    for (const e of readdirSync(p)) if (e !== 'node_modules') walk(path.join(p, e), visit);
  } else visit({ file: p, mtimeMs: st.mtimeMs });
}

/**
 * Why out/ under `root` does not match its sources, or null when it does. The build rewrites
 * every output file, so the oldest output is when the last build started; a source changed after
 * it (or a missing output directory) means the bench would time yesterday's code (a stale out/
 * once reported --version at 4.2x instead of 1.3x).
 */
export function staleBuildReason(root: string): string | null {
  let oldest: Stamp | undefined;
  for (const dir of OUTPUTS) {
    let any = false;
    walk(path.join(root, dir), (s) => {
      any = true;
      if (!oldest || s.mtimeMs < oldest.mtimeMs) oldest = s;
    });
    if (!any) return `${dir}/ is missing or empty`;
  }
  let newest: Stamp | undefined;
  for (const src of SOURCES) walk(path.join(root, src), (s) => {
    if (!newest || s.mtimeMs > newest.mtimeMs) newest = s;
  });
  if (oldest && newest && newest.mtimeMs > oldest.mtimeMs) {
    return `${path.relative(root, newest.file)} (changed ${new Date(newest.mtimeMs).toISOString()}) is newer than the build (${path.relative(root, oldest.file)}, ${new Date(oldest.mtimeMs).toISOString()})`;
  }
  return null;
}

/** Throws, naming the file, when out/ is stale: run by scripts/bench.ts before any suite. */
export function assertFreshBuild(root: string): void {
  const why = staleBuildReason(root);
  if (why) throw new Error(`out/ is stale: ${why}. Run \`npm run -s build\` first (\`npm run bench\` does), or the bench measures old code.`);
}
