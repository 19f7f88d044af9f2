/**
 * The pages: HTML shells and their scripts and styles, built into one directory by `npm run build`
 * (server/build.ts). Pages hold no data (they call the API); without a session they redirect to the login.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NetledgerError } from '../model/errors.js';
import type { Session } from './auth.js';

export const PAGES: Record<string, string> = {
  '/': 'dashboard.html',
  '/sniffer': 'sniffer.html',
  '/fwctl': 'fwctl.html',
  '/login': 'login.html',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

async function asset(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NetledgerError(
        'NL_ERR_NOT_FOUND',
        name.endsWith('.html') ? `page ${name} not built (run npm run build)` : `no asset ${name}`,
      );
    throw error;
  }
}

export function registerPages(
  app: FastifyInstance,
  dir: string,
  identify: (request: FastifyRequest) => Session | undefined,
): void {
  for (const [route, file] of Object.entries(PAGES)) {
    app.get(route, async (request, reply) => {
      if (route !== '/login' && identify(request) === undefined) return reply.redirect('/login', 302);
      return reply
        .type(TYPES['.html']!)
        .header('cache-control', 'no-store')
        .send(await asset(dir, file));
    });
  }
  app.get('/assets/:name', async (request, reply) => {
    const name = basename((request.params as { name: string }).name);
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type === undefined || name.startsWith('.'))
      throw new NetledgerError('NL_ERR_NOT_FOUND', `no asset ${name}`);
    return reply.type(type).send(await asset(dir, name));
  });
}
