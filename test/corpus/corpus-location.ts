import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the shared SNMP corpus lives (recordings of real devices with a `.truth.json` each; see its
 * README). It is read in place and never copied into the repository. No test-runner import.
 */

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** ROLLER_SNMP_CORPUS when set, else `../shared/snmp-corpus` next to the repository. */
export function corpusDir(): string {
  const configured = process.env.ROLLER_SNMP_CORPUS?.trim();
  return configured ? resolve(configured) : resolve(REPO_ROOT, '../shared/snmp-corpus');
}

/** Recording names (file name without `.snmprec`) that have a truth file, sorted. */
export function listRecordings(dir = corpusDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.snmprec') && existsSync(join(dir, file.replace(/\.snmprec$/, '.truth.json'))))
    .map((file) => file.replace(/\.snmprec$/, ''))
    .sort();
}

/** Why the corpus cannot be used, or null. */
export function corpusMissing(dir = corpusDir()): string | null {
  if (!existsSync(dir)) return `SNMP corpus not found at ${dir} (set ROLLER_SNMP_CORPUS to use another directory)`;
  if (listRecordings(dir).length === 0) return `SNMP corpus at ${dir} holds no NAME.snmprec with a NAME.truth.json`;
  return null;
}
