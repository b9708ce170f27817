import { serviceSchema, zoneSchema, type LayerState, type Zone } from '../../../shared/firewall/model';

/**
 * 50 zones with an interface each and 20 rich rules each (1,000 in all), every other zone
 * DROP: the size issue #15 sets for explain (the unit test checks the answer, the bench times it).
 */
export function bigState(): LayerState {
  const zones: Record<string, Zone> = {};
  for (let z = 0; z < 50; z++) {
    const name = `z${String(z).padStart(2, '0')}`;
    const richRules: string[] = [];
    for (let i = 0; i < 20; i++) {
      const port = 30000 + z * 20 + i;
      richRules.push(`rule family="ipv4" source address="10.${z}.0.0/24" port port="${port}" protocol="tcp" accept`);
    }
    zones[name] = zoneSchema.parse({ name, interfaces: [`eth${z}`], target: z % 2 ? 'DROP' : 'default', services: ['ssh'], richRules });
  }
  return {
    zones,
    policies: {},
    services: { ssh: serviceSchema.parse({ name: 'ssh', ports: [{ port: '22', protocol: 'tcp' }] }) },
    ipsets: {},
    icmptypes: {},
    helpers: {},
  };
}
