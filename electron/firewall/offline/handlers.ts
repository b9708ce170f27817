import type { HandlerContext } from '../../api/context';
import { OfflineFirewall } from './firewall';
import { OfflineWriter } from './writer';

/** The host's offline firewall (its configuration files), created on first use and disposed with the host. */
export function offlineFirewall(ctx: HandlerContext): OfflineFirewall {
  return ctx.host.service('firewall.offline', () => new OfflineFirewall(ctx.host));
}

/** The host's offline configuration writer (offline/writer.ts). */
export function offlineWriter(ctx: HandlerContext): OfflineWriter {
  return new OfflineWriter(ctx.host, offlineFirewall(ctx));
}
