/**
 * The HTTP server of `netledger serve`: the JSON API over the ledger and the Sniffer reports, sessions
 * and roles, and the pages (static assets built by `npm run build`). Every error is JSON
 * `{error:{code,message}}` with the HTTP status of its catalogue entry.
 */
import { sensorStatus } from '../sensor/status.js';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ingestFile } from '../ledger/ingest.js';
import type { Ledger } from '../ledger/types.js';
import { ERROR_CATALOGUE, NetledgerError, UsageError } from '../model/errors.js';
import { formatIsoTime } from '../model/time.js';
import { toJson } from '../report/tabular.js';
import type { Authenticator } from './auth.js';
import type { CachedBody, Encoding } from '../io/cached-file.js';
import { SESSION_COOKIE, cookieValue, type Role, type Session } from './auth.js';
import { fwctlReport, parseFwctlQuery, type FwctlSettings } from './fwctl.js';
import { autoBin, parseBin, parseViewParams, type QueryParams } from './query.js';
import {
  localStatusFile,
  parseGrouping,
  requestSnifferDump,
  snifferReport,
  type SnifferSettings,
} from './sniffer-report.js';
import { registerPages } from './static.js';

export interface ServerOptions {
  /** Opens the ledger on first use; absent: the ledger routes answer 404. */
  openLedger?: () => Promise<Ledger>;
  auth: Authenticator;
  sniffer: SnifferSettings;
  fwctl: FwctlSettings;
  /** Directory of the built pages (dist/web); absent: no pages, API only. */
  assetsDir?: string;
  /** The sensor's pid file, for `/api/sensor/status`. */
  sensorPidFile?: string;
  /** Mark the session cookie `Secure` (when served behind TLS). */
  secureCookie?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
  }
}

function sendJson(reply: FastifyReply, value: unknown, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(toJson(value) + '\n');
}

function encodingFor(request: FastifyRequest): Encoding {
  return /\bgzip\b/.test(request.headers['accept-encoding'] ?? '') ? 'gzip' : 'identity';
}

/** A cached report as stored: gzip bytes with their Content-Encoding, or the plain bytes. */
function sendCached(reply: FastifyReply, body: CachedBody, type: string): FastifyReply {
  reply.header('vary', 'accept-encoding');
  if (body.encoding === 'gzip') reply.header('content-encoding', 'gzip');
  return reply.type(type).send(body.bytes);
}

function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof NetledgerError) {
    return sendJson(reply, { error: { code: error.code, message: error.describe() } }, error.httpStatus);
  }
  const fastifyError = error as { statusCode?: number; message?: string };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    // Fastify's own refusals (bad JSON body, body too large): client errors.
    return sendJson(
      reply,
      { error: { code: 'NL_ERR_USAGE', message: fastifyError.message ?? 'bad request' } },
      fastifyError.statusCode,
    );
  }
  return sendJson(
    reply,
    { error: { code: 'NL_ERR_INTERNAL', message: `internal error: ${(error as Error).message}` } },
    ERROR_CATALOGUE.NL_ERR_INTERNAL.httpStatus,
  );
}

/** Seconds the window spans; open ends are closed by the earliest and latest times the ledger holds. */
async function spanOf(ledger: Ledger, window: { since?: number; until?: number }): Promise<number> {
  let { since, until } = window;
  if (since === undefined || until === undefined) {
    const entries = await ledger.sources();
    const firsts = entries.flatMap((entry) => (entry.firstTime === undefined ? [] : [entry.firstTime]));
    const lasts = entries.flatMap((entry) => (entry.lastTime === undefined ? [] : [entry.lastTime]));
    since ??= firsts.length === 0 ? 0 : Math.min(...firsts);
    until ??= lasts.length === 0 ? since : Math.max(...lasts);
  }
  return Math.max(0, until - since);
}

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const { auth } = options;
  let ledger: Promise<Ledger> | undefined;
  const useLedger = (): Promise<Ledger> => {
    if (options.openLedger === undefined)
      throw new NetledgerError('NL_ERR_NOT_FOUND', 'this server has no ledger (--ledger)');
    ledger ??= options.openLedger().catch((error: unknown) => {
      ledger = undefined;
      throw error;
    });
    return ledger;
  };
  app.addHook('onClose', async () => {
    if (ledger !== undefined) await (await ledger.catch(() => undefined))?.close();
  });

  app.setErrorHandler((error, _request, reply) => sendError(reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new NetledgerError('NL_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  const identify = (request: FastifyRequest): Session | undefined =>
    auth.identify(
      request.ip,
      request.headers.authorization,
      cookieValue(request.headers.cookie, SESSION_COOKIE),
    );

  /** Guards a route: a session with at least `role`, else 401 (no session) or 403 (role too low). */
  const guard = (role: Role) => async (request: FastifyRequest) => {
    const session = identify(request);
    if (session === undefined) throw new NetledgerError('NL_ERR_AUTH', 'log in first');
    if (role === 'admin' && session.role !== 'admin')
      throw new NetledgerError('NL_ERR_FORBIDDEN', `user '${session.user}' has the read role; admin needed`);
    request.session = session;
  };
  const read = { preHandler: guard('read') };
  const admin = { preHandler: guard('admin') };

  const cookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${options.secureCookie ? '; Secure' : ''}`;

  app.post('/api/login', async (request, reply) => {
    const body = (request.body ?? {}) as { user?: unknown; password?: unknown };
    if (typeof body.user !== 'string' || typeof body.password !== 'string')
      throw new UsageError('expected a JSON body {"user": "...", "password": "..."}');
    if (!auth.enabled) return sendJson(reply, { user: 'anonymous', role: 'admin' });
    const { id, session } = await auth.login(request.ip, body.user, body.password);
    // The session was made just now: its whole lifetime, not a remainder that a slow clock tick rounds down.
    reply.header('set-cookie', cookie(id, auth.sessionSeconds));
    return sendJson(reply, { user: session.user, role: session.role });
  });

  app.post('/api/logout', async (request, reply) => {
    auth.logout(cookieValue(request.headers.cookie, SESSION_COOKIE));
    reply.header('set-cookie', cookie('', 0));
    return sendJson(reply, { ok: true });
  });

  app.get('/api/session', read, async (request, reply) =>
    sendJson(reply, { user: request.session!.user, role: request.session!.role, auth: auth.enabled }),
  );

  app.get('/api/top', read, async (request, reply) => {
    const view = parseViewParams(request.query as QueryParams);
    const rows = await (
      await useLedger()
    ).top({
      by: view.by,
      ...(view.since === undefined ? {} : { since: view.since }),
      ...(view.until === undefined ? {} : { until: view.until }),
      ...(view.limit === undefined ? {} : { limit: view.limit }),
    });
    return sendJson(reply, { by: view.by.label, since: view.since ?? null, until: view.until ?? null, rows });
  });

  app.get('/api/series', read, async (request, reply) => {
    const params = request.query as QueryParams;
    const view = parseViewParams(params);
    const bin = parseBin(params);
    const store = await useLedger();
    const binSeconds = bin === 'auto' ? autoBin(await spanOf(store, view)) : bin;
    let points = await (
      await useLedger()
    ).series({
      by: view.by,
      binSeconds,
      ...(view.since === undefined ? {} : { since: view.since }),
      ...(view.until === undefined ? {} : { until: view.until }),
      ...(view.limit === undefined ? {} : { limit: view.limit }),
    });
    const key = params.key;
    if (key !== undefined && key !== '') points = points.filter((point) => point.key === key);
    return sendJson(reply, {
      by: view.by.label,
      binSeconds,
      rows: points.map((point) => ({ time: formatIsoTime(point.binStart), ...point })),
    });
  });

  app.get('/api/sources', read, async (_request, reply) => {
    const rows = (await (await useLedger()).sources()).map((entry) => ({
      ...entry,
      first: entry.firstTime === undefined ? null : formatIsoTime(entry.firstTime),
      last: entry.lastTime === undefined ? null : formatIsoTime(entry.lastTime),
      ingested: formatIsoTime(Math.floor(entry.ingestedAt)),
    }));
    return sendJson(reply, { rows });
  });

  app.get('/api/sniffer/report', read, async (request, reply) => {
    const params = request.query as QueryParams;
    const grouping = parseGrouping(params.by);
    const format = params.format ?? 'json';
    if (format !== 'json' && format !== 'text')
      throw new UsageError(`invalid format '${format}': expected json or text`);
    const body = await snifferReport(options.sniffer, grouping, format, encodingFor(request));
    return sendCached(
      reply,
      body,
      format === 'json' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    );
  });

  app.get('/api/sensor/status', read, async (_request, reply) =>
    sendJson(reply, await sensorStatus(options.sensorPidFile, options.sniffer.stats[0])),
  );

  // For peers: this host's own status (never the peers' copies, so that peers do not loop).
  app.get('/api/sniffer/status', read, async (_request, reply) =>
    reply.type('text/plain; charset=latin1').send(await localStatusFile(options.sniffer.stats)),
  );

  for (const kind of ['summary', 'samples'] as const) {
    app.get(`/api/fwctl/${kind}`, read, async (request, reply) =>
      sendCached(
        reply,
        await fwctlReport(
          options.fwctl,
          parseFwctlQuery(kind, request.query as QueryParams),
          encodingFor(request),
        ),
        'application/json; charset=utf-8',
      ),
    );
  }

  app.post('/api/sniffer/dump', admin, async (_request, reply) =>
    sendJson(reply, await requestSnifferDump(options.sniffer)),
  );

  app.post('/api/ingest', admin, async (request, reply) => {
    const body = (request.body ?? {}) as { path?: unknown; format?: unknown };
    if (typeof body.path !== 'string' || (body.format !== undefined && typeof body.format !== 'string'))
      throw new UsageError('expected a JSON body {"path": "...", "format": "auto"}');
    const outcome = await ingestFile(await useLedger(), body.path, {
      format: typeof body.format === 'string' ? body.format : 'auto',
    });
    return sendJson(reply, {
      path: body.path,
      status: outcome.status,
      records: outcome.records,
      format: outcome.format,
      fromOffset: outcome.fromOffset,
      skipped: outcome.skipped,
    });
  });

  if (options.assetsDir !== undefined) registerPages(app, options.assetsDir, (request) => identify(request));
  return app;
}
