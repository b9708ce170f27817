import type { FeatureHandlers, HandlerContext } from '../../api/context';
import { DeniedFeedService } from './feed';

type DeniedOps = 'denied' | 'deniedStop';

/** The host's feed: one per host, created on first use, disposed with the host. */
const feed = (ctx: HandlerContext) => ctx.host.service('firewall.denied', () => new DeniedFeedService(ctx.host, ctx.events));

export const deniedHandlers: Pick<FeatureHandlers<'firewall'>, DeniedOps> = {
  denied: (ctx, i) => feed(ctx).read(i),
  deniedStop: (ctx) => feed(ctx).stop(),
};
