/**
 * Where the test suites find their backends. In CI (`CI=true`) every backend must be present:
 * a missing one fails the run instead of being skipped.
 */
export const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/** PostgreSQL used by tests: a role that may CREATE DATABASE (see .ci/run). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://roller:roller@127.0.0.1:5432/roller_test';

export function databaseUrlFor(database: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}
