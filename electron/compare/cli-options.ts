/** The options of `hostdeck compare` and `hostdeck snapshot`, as commander hands them over (electron/compare/cli.ts). */

export interface CompareOpts {
  baseline?: string;
  only?: string[];
  json?: boolean;
  markdown?: boolean;
  csv?: boolean;
  all?: boolean;
  layer?: 'runtime' | 'permanent' | 'both';
  dnsName: string;
  k8s: string;
  fix?: 'ansible' | 'sysctl' | 'firewall-cmd';
  keys?: string;
  zones?: string;
  become?: boolean;
  confirmWeakening?: string;
  root?: string;
  summary?: boolean;
  limit?: string;
  inventory?: string;
  forks?: number;
  keep?: boolean;
}

export interface SnapshotOpts {
  root?: string;
  inventory?: string;
  limit?: string;
  out?: string;
  forks?: number;
  json?: boolean;
}
