/**
 * Writes docs/configuration.md and .env.example from src/config/variables.ts.
 *
 *   npx tsx scripts/gen-config-docs.ts           rewrite both files
 *   npx tsx scripts/gen-config-docs.ts --check   exit 1 when a committed file is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { GENERATED_CONFIG_DOCS } from './config-docs.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const doc of GENERATED_CONFIG_DOCS) {
  const file = new URL(`../${doc.path}`, import.meta.url);
  const wanted = doc.render();
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === wanted) {
    process.stdout.write(`${doc.path}: up to date\n`);
  } else if (check) {
    stale += 1;
    process.stdout.write(`${doc.path}: out of date (run npx tsx scripts/gen-config-docs.ts)\n`);
  } else {
    writeFileSync(file, wanted);
    process.stdout.write(`${doc.path}: written\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
