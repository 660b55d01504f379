import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Where the browser app comes from: the built web app (`dist/web`, issue 7) when it exists,
 * otherwise the small sign-in and account pages in `public/` that ship with the UI server.
 */
export function defaultWebRoot(): string {
  const built = fileURLToPath(new URL('../../dist/web/', import.meta.url));
  return existsSync(`${built}index.html`) ? built : fileURLToPath(new URL('./public/', import.meta.url));
}

/** Static files, and `index.html` for any other page path so client-side routes survive a reload. */
export async function webAppRoutes(app: FastifyInstance, options: { root: string }): Promise<void> {
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
