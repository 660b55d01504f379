import { readFileSync } from 'node:fs';

/** The build version shown in logs, the OpenAPI document and (later) the UI. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
