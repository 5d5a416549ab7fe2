/**
 * Reading request bodies: bounded in size, parsed as JSON, with the content types the admin API
 * accepts. Every failure is a Status reply, never an exception.
 */
import type { IncomingMessage } from 'node:http';
import { failure, type Reply } from './reply.ts';

/** The default request body limit (kube-apiserver allows 3 MiB; a little headroom for large routes). */
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

/** Past this many bytes (limit × this) a too-large body is no longer drained but the connection dropped. */
const DRAIN_FACTOR = 4;

/** A parsed body or the reply that explains why there is none. */
export type BodyResult = { ok: true; value: unknown } | { ok: false; reply: Reply };

/** The media type of a request without parameters, lower-cased ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Reads the whole body and parses it as JSON (an empty body is `undefined` when `optional`). A body over `limit` bytes gives 413: it is read to the
 * end without being kept (so the client sees the answer rather than a reset), unless it goes on far
 * past the limit, when the connection is dropped.
 */
export function readJsonBody(req: IncomingMessage, limit: number, optional = false): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: BodyResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * DRAIN_FACTOR) req.destroy();
    });
    req.on('error', () => settle({ ok: false, reply: failure(400, 'BadRequest', 'error reading request body') }));
    req.on('close', () => settle({ ok: false, reply: failure(400, 'BadRequest', 'request body ended early') }));
    req.on('end', () => {
      if (size > limit) {
        settle({ ok: false, reply: failure(413, 'RequestEntityTooLarge', `request body too large: ${size} bytes, limit is ${limit}`) });
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      settle(optional && text.trim() === '' ? { ok: true, value: undefined } : parseJson(text));
    });
  });
}

/** Parses a JSON text; an empty body or malformed JSON is a 400 with the parser's message. */
export function parseJson(text: string): BodyResult {
  if (text.trim() === '') return { ok: false, reply: failure(400, 'BadRequest', 'request body is empty') };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reply: failure(400, 'BadRequest', `malformed JSON in request body: ${(err as Error).message}`) };
  }
}

/** Content types a create or update may use: JSON, or nothing said (curl's default is treated as JSON too). */
const JSON_TYPES = new Set(['', 'application/json', 'application/x-www-form-urlencoded']);

/** 415 unless the request body is JSON. */
export function checkJsonContentType(req: IncomingMessage): Reply | undefined {
  const t = mediaType(req);
  if (JSON_TYPES.has(t)) return undefined;
  return failure(415, 'UnsupportedMediaType', `the body of the request must be application/json, got "${t}"`);
}

/**
 * 415 unless the PATCH body is a JSON merge patch. `application/json` is taken as a merge patch too;
 * strategic merge, JSON patch and server-side apply are refused with a message saying what to use.
 */
export function checkPatchContentType(req: IncomingMessage): Reply | undefined {
  const t = mediaType(req);
  if (t === 'application/merge-patch+json' || t === 'application/json') return undefined;
  const what: Record<string, string> = {
    'application/strategic-merge-patch+json': 'strategic merge patch is not supported (it needs Go struct tags Gatehouse does not have)',
    'application/json-patch+json': 'JSON patch (RFC 6902) is not supported',
    'application/apply-patch+yaml': 'server-side apply is not supported',
  };
  const why = what[t] ?? `content type "${t}" is not a supported patch type`;
  return failure(415, 'UnsupportedMediaType', `${why}; use Content-Type: application/merge-patch+json (kubectl: --type=merge)`);
}
