import { openApp, type E2eApp } from './e2e';
import { startFirewalldSandbox, type FirewalldSandbox } from './firewalld-sandbox';
import { pagesOf } from './pages';

/** The firewall e2e suites' setup: a fresh sandbox and the app open on its firewall page (public zone listed). */
export async function openFirewallPage(): Promise<{ sb: FirewalldSandbox; app: E2eApp }> {
  const sb = await startFirewalldSandbox();
  const app = await openApp({ systemBusAddress: sb.busAddress });
  await pagesOf(app.page).firewall.zone('public').waitFor({ timeout: 30_000 });
  return { sb, app };
}

/** Closes the app before the sandbox it talks to; either is missing when the setup failed. */
export async function closeFirewallPage(app: E2eApp | undefined, sb: FirewalldSandbox | undefined): Promise<void> {
  await app?.stop();
  await sb?.stop();
}
