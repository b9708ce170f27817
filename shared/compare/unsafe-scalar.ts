import YAML from 'yaml';

/**
 * Ansible's `!unsafe` tag: the value is never templated (`{{ }}`, `{% %}` stay text). Every
 * value compare writes into a playbook comes from host data, so every one is emitted this way
 * (parsed back with safe-text.ts unsafeTag).
 */
export function unsafe(value: string): YAML.Scalar<string> {
  const s = new YAML.Scalar(value);
  s.tag = '!unsafe';
  return s;
}
