/**
 * Builds the web app (src/web → dist/web) with Vite, unless dist/web is newer than every source file
 * it is made from. `npm start` runs it first (prestart), so `npm ci && npm start` serves the app with
 * no separate build step; `--force` always builds.
 *
 *   node scripts/build-web.mjs [--force]
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', 'web', '.built');
const sources = [join(root, 'src', 'web'), join(root, 'src', 'shared'), join(root, 'package.json')];

function newestMtime(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.endsWith('.test.tsx') || entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const force = process.argv.includes('--force');
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changedAt = Math.max(...sources.map(newestMtime));
if (!force && builtAt > changedAt) {
  process.stderr.write('web app: up to date (dist/web)\n');
} else {
  const started = performance.now();
  // Always a production build: an inherited NODE_ENV (vitest sets `test`) would make Vite bundle React's
  // development builds, three times larger and slower.
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile: join(root, 'src', 'web', 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.stderr.write(`web app: built into dist/web in ${Math.round(performance.now() - started)} ms\n`);
}
