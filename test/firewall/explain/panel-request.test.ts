/**
 * The denied feed's Explain fills the "Will this connection pass?" form from the packet's flow:
 * the fields it fills ask firewall.explain about exactly that flow, and what the log line left
 * out stays unknown (not a default a user did not choose).
 */
import { describe, expect, it } from 'vitest';
import type { Flow } from '../../../shared/firewall/explain/flow';
import { fieldsOf, flowOf } from '../../../renderer/src/firewall/explain-fields';

describe('explain panel: the form filled from a requested flow', () => {
  it('asks about exactly the flow it was given (TCP, ICMP, forwarded, nearly empty)', () => {
    const flows: Flow[] = [
      { src: '192.0.2.7', dst: '10.0.0.5', protocol: 'tcp', dport: 8081, iface: 'eth0' },
      { src: '2001:db8::7', dst: '2001:db8::1', protocol: 'icmpv6', icmpType: 'echo-request', iface: 'eth1' },
      { src: '192.0.2.7', protocol: 'udp', dport: 53, sport: 5353, iface: 'eth0', outIface: 'eth1' },
      { src: '192.0.2.7' },
    ];
    for (const flow of flows) expect(flowOf(fieldsOf(flow))).toEqual(flow);
  });

  it('leaves the protocol unknown when the flow does not say it, and asks the runtime layer by default', () => {
    const f = fieldsOf({ src: '192.0.2.7' });
    expect(f.protocol).toBe('');
    expect(f.dport).toBe('');
    expect(f.layer).toBe('runtime');
    expect(fieldsOf({ dport: 0, protocol: 'tcp' }, 'permanent')).toMatchObject({ dport: '0', layer: 'permanent' });
  });
});
