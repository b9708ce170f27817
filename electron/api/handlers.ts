import type { AllHandlers } from './context';
import { appHandlers } from '../app/handlers';
import { firewallHandlers } from '../firewall/handlers';
import { dnsHandlers } from '../dns/handlers';
import { kernelHandlers } from '../kernel/handlers';
import { compareHandlers } from '../compare/handlers';
import { helperHandlers } from '../helper/handlers';
import { hostsHandlers } from '../hosts/handlers';
import { historyHandlers } from '../history/handlers';

/** The type makes a missing handler a compile error: every contract operation is implemented. */
export const handlers: AllHandlers = {
  app: appHandlers,
  firewall: firewallHandlers,
  dns: dnsHandlers,
  kernel: kernelHandlers,
  compare: compareHandlers,
  helper: helperHandlers,
  hosts: hostsHandlers,
  history: historyHandlers,
};
