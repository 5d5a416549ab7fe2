/**
 * What a handler answers: an HTTP code, a JSON (or plain text) body and warnings. Failures are
 * Kubernetes `Status` objects, built here so every error the admin API returns has the same shape
 * kube-apiserver gives (kind, status, message, reason, code, details with field causes).
 */
import { StoreError } from '../store/errors.ts';

/** The `reason` values this API answers with (the Kubernetes StatusReason names). */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Expired'
  | 'InternalError';

/** One field-level cause of a failure. */
export interface StatusCause {
  field: string;
  message: string;
}

/** Which object a failure is about. `kind` is the Kind for Invalid, the resource (plural) otherwise, as Kubernetes does. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

/** The Kubernetes `Status` object (metav1.Status) for a failure. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  code: number;
  details: StatusDetails;
}

/** A handler's answer. A string body is sent as text/plain, anything else as JSON. */
export interface Reply {
  code: number;
  body: unknown;
  warnings?: string[];
}

/** A Status object. */
export function statusObject(code: number, reason: StatusReason, message: string, details: StatusDetails = {}): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, details };
}

/** A failure reply carrying a Status object. */
export function failure(code: number, reason: StatusReason, message: string, details: StatusDetails = {}): Reply {
  return { code, body: statusObject(code, reason, message, details) };
}

/** A successful JSON reply. */
export function ok(body: unknown, code = 200, warnings?: string[]): Reply {
  return warnings && warnings.length ? { code, body, warnings } : { code, body };
}

/**
 * Turns anything a handler caught into a Status reply: store errors keep their reason and code;
 * anything else is an internal error (a bug, never the client's fault), with its message.
 */
export function fromError(err: unknown, details: StatusDetails = {}): Reply {
  if (err instanceof StoreError) {
    const d: StatusDetails = { ...details };
    if (err.causes.length) d.causes = err.causes.map((c) => ({ field: c.field, message: c.message }));
    return failure(err.code, err.reason, err.message, d);
  }
  const message = err instanceof Error ? err.message : String(err);
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, details);
}

/** The route did not name anything this server serves. */
export function notFoundPath(): Reply {
  return failure(404, 'NotFound', 'the server could not find the requested resource');
}
