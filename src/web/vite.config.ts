import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The web app is built into dist/web, which the UI server serves (src/ui-server/web-app.routes.ts). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  define: { __ROLLER_VERSION__: JSON.stringify(version) },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // Hashed file names under /assets/ are cached for a year by the UI server; index.html never is.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 600,
  },
  logLevel: 'warn',
});
