import type { BenchReporter } from './harness';

export default async function bench(r: BenchReporter): Promise<void> {
  r.note('no benchmark yet');
}
