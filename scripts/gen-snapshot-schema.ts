/** Writes api/snapshot.schema.json from the TypeBox schema (test/api/snapshot.test.ts fails on drift). */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { snapshotJsonSchema } from '../src/shared/schemas/snapshot.ts';

const target = fileURLToPath(new URL('../api/snapshot.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`);
// Formatted as the repository formats every JSON file, so `npm run lint` stays green.
execFileSync('npx', ['biome', 'format', '--write', target], { stdio: 'ignore' });
process.stdout.write(`wrote ${target}\n`);
