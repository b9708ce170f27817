import { checkText, planText } from '../../shared/dns/check';
import { diagnose } from '../../shared/dns/diagnostics';
import { planGlibc, planMusl } from '../../shared/dns/plan';
import { corpus } from '../../test/dns/corpus';
import { commandMs, medianMs, type BenchReporter } from './harness';

/**
 * DNS: full analysis (glibc + musl reading, diagnostics, two query plans) of a 1000-file corpus,
 * against the anchor of one real `getent ahosts` lookup (glibc reading resolv.conf and trying the
 * name) in a private network namespace. Target: analysing a file costs far less than one lookup.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const files: string[] = [];
  const base = Object.values(corpus);
  for (let i = 0; files.length < 1000; i++) files.push(`${base[i % base.length]}\n# variant ${i}\nsearch s${i}.example corp.example\n`);
  const analyse = () => {
    for (const f of files) {
      const d = diagnose(f);
      planGlibc('api.example.com', d.glibc);
      planMusl('api.example.com', d.musl);
    }
  };
  const oursMs = await medianMs(analyse, 5);
  r.value('dns: analyse 1000 resolv.conf files (glibc+musl read, diagnostics, 2 plans)', oursMs);
  const perFile = oursMs / files.length;
  let anchorMs: number;
  try {
    anchorMs = await commandMs('unshare', ['-n', 'sh', '-c', 'ip link set lo up; getent ahosts api.example.com >/dev/null; true'], undefined, 5);
  } catch (e) {
    r.note(`dns: anchor unavailable (${(e as Error).message}); needs root and util-linux`);
    return;
  }
  r.ratio('dns: analyse one file vs one getent ahosts lookup (netns)', perFile, 'getent ahosts', anchorMs, '< 0.1');

  // A hostile 1 MiB resolv.conf (the request limit): what `dns check` and `dns plan` run on it.
  const big = hostileResolvConf(1024 * 1024);
  const bigMs = await medianMs(() => {
    checkText(big, 'glibc', { hostname: 'host.corp.example' });
    planText('api.example.com', big, 'glibc');
    planText('api.example.com', big, 'musl');
  }, 3);
  r.ratio('dns: check + 2 plans of a hostile 1 MiB resolv.conf vs one getent ahosts lookup', bigMs, 'getent ahosts', anchorMs, 'well under 1 s');
}

/** Every line kind that used to cost quadratic time, repeated up to `bytes`. */
function hostileResolvConf(bytes: number): string {
  const lines = [
    'nameserver 10.0.0.1',
    'nameserver fe80::1%',
    'options ndots:20 timeout:0 attempts:9 rotatex foo # c',
    'search a.example b.example # comment',
    'sortlist 10.0.0.0/24 10.1.0.0&255.255.0.0',
    'Nameserver 192.0.2.1\r',
    'domain x.example y.example',
  ];
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = `${lines[i % lines.length]}\n`;
    parts.push(l);
    n += l.length;
  }
  return parts.join('').slice(0, bytes);
}
