import type { FeatureHandlers } from '../api/handler';
import { readFirewallStatus } from './status';

export const firewallHandlers: FeatureHandlers<'firewall'> = {
  status: (ctx) => readFirewallStatus(ctx.host.systemBusAddress),
};
