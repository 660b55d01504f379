import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The built web app (`npm run build:web`; `npm start` builds it when its sources changed). */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../../dist/web/', import.meta.url));
}

/** The web app is optional for the API: without a build, pages say how to build it instead of failing. */
export function webAppBuilt(root: string): boolean {
  return existsSync(`${root}index.html`);
}

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Roller</title></head>
<body><h1>Roller</h1><p>The web app has not been built. Run <code>npm run build:web</code> (npm start does it for you),
then reload. The API is available under <code>/api</code> to signed-in sessions.</p></body></html>`;

/** Static files, and `index.html` for any other page path so client-side routes survive a reload. */
export async function webAppRoutes(app: FastifyInstance, options: { root: string }): Promise<void> {
  if (!webAppBuilt(options.root)) {
    app.get('/*', async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT_PAGE),
    );
    return;
  }
  await app.register(fastifyStatic, { root: options.root, wildcard: false, index: 'index.html', cacheControl: false });
  app.addHook('onSend', async (request, reply) => {
    // Hashed asset names may be cached for long; pages must always be fresh (they follow deployments).
    const path = request.url.split('?')[0] ?? '';
    reply.header('cache-control', /\/assets\//.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const file = path.slice(1);
    if (file !== '' && !file.includes('..') && existsSync(`${options.root}${file}`)) return reply.sendFile(file);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
}
