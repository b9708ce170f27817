import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { precompressDir } from './electron/serve/precompress';

// One build for everything: the Electron main process and the CLI share the Node-side code
// (electron/), the preload is a single CJS bundle (sandboxed preloads cannot load ESM or
// node_modules), and the renderer is a plain web app that browser mode serves too.
export default defineConfig({
  main: {
    // The privileged helper and the SSH read agent travel inside the bundle (electron/helper/source.ts).
    define: {
      __HOSTDECK_HELPER_SOURCE__: JSON.stringify(readFileSync(resolve('electron/helper/hostdeck-helper.py'), 'utf8')),
      __HOSTDECK_HELPER_LAUNCHER__: JSON.stringify(readFileSync(resolve('electron/helper/hostdeck-helper-launcher.py'), 'utf8')),
      __HOSTDECK_HELPER_POLICY__: JSON.stringify(readFileSync(resolve('electron/helper/dev.hostdeck.helper.policy'), 'utf8')),
      // The SSH read agent too (electron/hosts/ssh/agent-source.ts).
      __HOSTDECK_AGENT_SOURCE__: JSON.stringify(readFileSync(resolve('electron/hosts/ssh/hostdeck-agent.py'), 'utf8')),
    },
    build: {
      outDir: 'out/main',
      // zod is bundled, not loaded from node_modules: its package entry loads ~95 files (every
      // locale) on each CLI run; bundled, only what HostDeck uses is kept (issue #22).
      externalizeDeps: { exclude: ['zod', 'commander'] },
      rollupOptions: {
        input: { main: resolve('electron/main.ts'), cli: resolve('electron/cli.ts') },
        // The CLI loads each command's code when a run names it (electron/cli.ts), so the build
        // splits into many chunks. Beside the entries, not in chunks/: code that finds the
        // renderer or preload relative to its own file (import.meta.url) works from any of them.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: resolve('electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    // Brotli and gzip forms of the UI, written once here instead of after every `serve` start.
    plugins: [react(), { name: 'hostdeck-precompress', apply: 'build', closeBundle: () => void precompressDir(resolve('out/renderer')) }],
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves the renderer unminified; minified, the cold Kernel page parses and
      // compiles less than half the script (issue #22). CSS follows build.minify.
      minify: true,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
