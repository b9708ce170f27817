// Writes shared/api/plans/<feature>.json: each operation's check plan (shared/api/check-plan.ts),
// so a call is checked without loading zod. Run after changing a contract:
//   npx tsx scripts/gen-contract-plans.ts
// test/app/contract-plans.test.ts fails while a plan file differs from the contract.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contract } from '../shared/api/contract';
import { featurePlans } from '../shared/api/check-plan';
import { planFileText } from '../shared/api/plans';

const dir = join(import.meta.dirname, '../shared/api/plans');
for (const [feature, ops] of Object.entries(contract)) {
  writeFileSync(join(dir, `${feature}.json`), planFileText(featurePlans(ops)));
  console.log(`shared/api/plans/${feature}.json`);
}
