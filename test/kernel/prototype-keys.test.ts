import { describe, expect, it } from 'vitest';
import { catalogEntry, isDescribed } from '../../shared/kernel/catalog';
import { defaultFor } from '../../shared/kernel/defaults';
import { classifySysctl } from '../../shared/kernel/k8s';

/**
 * Key names are user input (`kernel classify constructor`) and host data (a snapshot's keys):
 * a name that is also a property of every object must be an unknown key like any other, not
 * Object.prototype's function (`kernel classify constructor` answered INTERNAL "v.trim is not a function").
 */
describe('keys named like Object.prototype properties', () => {
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

  it('classify as an unknown node-level key, with no description, default or documentation', () => {
    for (const n of names) {
      const c = classifySysctl(n, { k8s: '1.33', kernel: '6.1.0' });
      expect(c.kubernetes.status, n).toBe('node-level');
      expect(c.namespace, n).toBeNull();
      expect(isDescribed(n), n).toBe(false);
      expect(catalogEntry(n).description, n).toBeNull();
      expect(defaultFor(n, n, 0o644, null, 0), n).toBeNull();
    }
  });
});
