import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { RegisterCommands } from '../cli/context';
import { Runtime } from '../api/runtime';
import { installShutdownHandlers } from '../app/shutdown';
import { isLoopback } from './security';
import { helperKeepSeconds, keepHelperSessions } from '../helper/kept-session';
import { agentKeepSeconds } from '../hosts/ssh/agent-keep';
import { startServer, type RunningServer } from './server';

/** Where the built renderer sits next to the CLI bundle (out/main/cli.js -> out/renderer). */
export function defaultStaticDir(): string {
  return fileURLToPath(new URL('../renderer/', import.meta.url));
}

export const registerServeCommand: RegisterCommands = (program: Command, cli) => {
  program
    .command('serve')
    .description('serve the HostDeck UI in a browser (127.0.0.1 only; open it over ssh -L)')
    .option('--port <n>', 'TCP port (0 picks a free one)', '7390')
    .option('--bind <address>', 'address to listen on (default 127.0.0.1)')
    .option('--root <dir>', 'read files under DIR instead of / (another system\'s root)')
    .option('--ui <dir>', 'directory of the built UI', undefined)
    .action(async (opts: { port: string; bind?: string; root?: string; ui?: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        cli.fail(new Error(`--port must be 0..65535, got "${opts.port}"`));
        return;
      }
      const staticDir = opts.ui ?? defaultStaticDir();
      if (!existsSync(join(staticDir, 'index.html'))) {
        cli.fail(new Error(`The UI is not built (${join(staticDir, 'index.html')} is missing): run npm run build first.`));
        return;
      }
      // A change keeps its helper a short while, so the next change on the page is one round trip (README, "Sessions").
      keepHelperSessions(helperKeepSeconds());
      // Each SSH host's read agent is kept a minute, so a refresh does not start python3 on every host (README, "Remote hosts").
      const runtime = new Runtime({ mode: 'browser', local: { root: opts.root }, remote: { keepAgents: agentKeepSeconds() } });
      const envBind = process.env.HOSTDECK_BIND;
      const bind = opts.bind ?? envBind ?? '127.0.0.1';
      try {
        // Installed before listening: a hang-up from now on reverts pending safe applies first.
        const started: { server?: RunningServer } = {};
        installShutdownHandlers({
          cleanup: async () => {
            await runtime.dispose();
            await started.server?.close();
          },
        });
        const running = (started.server = await startServer({ runtime, staticDir, port, bind, explicitBind: opts.bind !== undefined }));
        if (opts.bind !== undefined && !isLoopback(opts.bind)) {
          process.stderr.write(`hostdeck: warning: listening on ${opts.bind}: anyone who can reach it and has the token controls this host.\n`);
        }
        process.stdout.write(`HostDeck is serving at ${running.loginUrl}\n`);
      } catch (e) {
        await runtime.dispose();
        cli.fail(e);
      }
    });
};
