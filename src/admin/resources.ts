/**
 * The verbs on collections and objects: list, get, create, update (PUT), merge patch, delete, and
 * the status subresource (get, replace, merge patch). Each returns a Reply; the store's errors become
 * Status objects with their reason and code.
 */
import type { K8sObject, ObjectKey } from '../api/object.ts';
import { apiVersionOf, type KindInfo } from '../api/kinds.ts';
import type { Store } from '../store/store.ts';
import { mergePatched } from '../store/merge-patch.ts';
import type { ResourceRoute } from './route.ts';
import { failure, fromError, ok, type Reply, type StatusDetails } from './reply.ts';
import { bodyVersionWarning, isObject, prepareObject } from './prepare.ts';
import { runAdmission, type Admit } from './admission.ts';
import { selects, type Selection } from './selectors.ts';

/** Everything a verb handler needs. */
export interface VerbContext {
  store: Store;
  admit?: Admit;
  route: ResourceRoute;
}

function keyOfRoute(route: ResourceRoute): ObjectKey {
  return { group: route.info.group, kind: route.info.kind, namespace: route.namespace ?? '', name: route.name ?? '' };
}

function details(info: KindInfo, name?: string): StatusDetails {
  return name === undefined ? { group: info.group, kind: info.plural } : { name, group: info.group, kind: info.plural };
}

/** The stored object a route names, or a 404 reply. */
function current(ctx: VerbContext): { obj: K8sObject } | { reply: Reply } {
  const k = keyOfRoute(ctx.route);
  const obj = ctx.store.get(k.group, k.kind, k.namespace, k.name);
  if (obj) return { obj };
  return { reply: failure(404, 'NotFound', `${ctx.route.info.plural} "${k.name}" not found`, details(ctx.route.info, k.name)) };
}

/** Runs a store write and turns a StoreError into its Status reply. */
function attempt(ctx: VerbContext, write: () => K8sObject, code: number, warnings: string[]): Reply {
  try {
    return ok(write(), code, warnings);
  } catch (err) {
    const r = fromError(err, details(ctx.route.info, ctx.route.name));
    if (warnings.length) r.warnings = warnings;
    return r;
  }
}

/** GET on a collection: a `<Kind>List` of the objects in scope that match the selection. */
export function listObjects(ctx: VerbContext, sel: Selection): Reply {
  const { info, namespace } = ctx.route;
  const items = ctx.store.list(info.group, info.kind, { namespace, labelSelector: sel.labels }).filter((o) => selects(sel, o));
  return ok({
    apiVersion: apiVersionOf(info),
    kind: `${info.kind}List`,
    metadata: { resourceVersion: String(ctx.store.resourceVersion) },
    items,
  });
}

/** GET on an object (or its status: Kubernetes returns the whole object there too). */
export function getObject(ctx: VerbContext): Reply {
  const cur = current(ctx);
  return 'reply' in cur ? cur.reply : ok(cur.obj);
}

/** POST on a collection. Status is dropped: it is written through /status only, as in Kubernetes. */
export async function createObject(ctx: VerbContext, body: unknown, warnings: string[]): Promise<Reply> {
  const prepared = prepareObject(body, ctx.route, true);
  if ('reply' in prepared) return prepared.reply;
  const obj = prepared.obj;
  if (ctx.route.info.hasStatus) delete obj.status;
  warnings = withBodyVersion(ctx, obj, warnings);
  const adm = await runAdmission(ctx.admit, obj, ctx.route.info);
  if ('reply' in adm) return withWarnings(adm.reply, warnings);
  return attempt(ctx, () => ctx.store.create(adm.obj), 201, [...warnings, ...adm.warnings]);
}

/** PUT on an object: replaces everything but status; a stale metadata.resourceVersion is a 409. */
export async function updateObject(ctx: VerbContext, body: unknown, warnings: string[]): Promise<Reply> {
  const prepared = prepareObject(body, ctx.route, false);
  if ('reply' in prepared) return prepared.reply;
  const obj = prepared.obj;
  return replaceMain(ctx, obj, withBodyVersion(ctx, obj, warnings));
}

/** Adds the body's deprecated-apiVersion warning, unless admission is there to convert (and warn) itself. */
function withBodyVersion(ctx: VerbContext, obj: K8sObject, warnings: string[]): string[] {
  const w = ctx.admit ? undefined : bodyVersionWarning(obj, ctx.route);
  return w ? [...warnings, w] : warnings;
}

/** PATCH on an object: a JSON merge patch of the main resource (status changes in it are ignored). */
export async function patchObject(ctx: VerbContext, patch: unknown, warnings: string[]): Promise<Reply> {
  const found = current(ctx);
  if ('reply' in found) return found.reply;
  const cur = found.obj;
  if (!isObject(patch)) return failure(400, 'BadRequest', 'a merge patch must be a JSON object');
  const merged = mergePatched(cur, patch) as K8sObject; // shares the frozen parts the patch does not touch
  const prepared = prepareObject(merged, ctx.route, false);
  if ('reply' in prepared) return prepared.reply;
  const obj = prepared.obj;
  // Without a resourceVersion in the patch there is no precondition: patch the version just read.
  if (!isObject(patch.metadata) || patch.metadata.resourceVersion === undefined) obj.metadata.resourceVersion = cur.metadata.resourceVersion;
  return replaceMain(ctx, obj, warnings);
}

async function replaceMain(ctx: VerbContext, obj: K8sObject, warnings: string[]): Promise<Reply> {
  const found = current(ctx);
  if ('reply' in found) return found.reply;
  const cur = found.obj;
  // Admission sees the status that will be kept, not whatever the client sent.
  if (ctx.route.info.hasStatus) {
    if (cur.status === undefined) delete obj.status;
    else obj.status = cur.status; // frozen: admission reads it, the store keeps it as it is
  }
  const adm = await runAdmission(ctx.admit, obj, ctx.route.info);
  if ('reply' in adm) return withWarnings(adm.reply, warnings);
  return attempt(ctx, () => ctx.store.update(adm.obj), 200, [...warnings, ...adm.warnings]);
}

/** DELETE on an object; honours DeleteOptions preconditions (uid, resourceVersion) when a body has them. */
export function deleteObject(ctx: VerbContext, body: unknown): Reply {
  const found = current(ctx);
  if ('reply' in found) return found.reply;
  const cur = found.obj;
  const pre = isObject(body) && isObject(body.preconditions) ? body.preconditions : {};
  for (const field of ['uid', 'resourceVersion'] as const) {
    if (pre[field] !== undefined && pre[field] !== cur.metadata[field]) {
      return failure(
        409,
        'Conflict',
        `Precondition failed: ${field} in precondition: ${String(pre[field])}, ${field} in object meta: ${String(cur.metadata[field])}`,
        details(ctx.route.info, cur.metadata.name),
      );
    }
  }
  return attempt(ctx, () => ctx.store.delete(keyOfRoute(ctx.route)), 200, []);
}

/** PUT on /status: replaces status only; the body's metadata.resourceVersion, when set, must be current. */
export async function updateStatus(ctx: VerbContext, body: unknown, warnings: string[]): Promise<Reply> {
  const prepared = prepareObject(body, ctx.route, false);
  if ('reply' in prepared) return prepared.reply;
  const obj = prepared.obj;
  const rv = obj.metadata.resourceVersion;
  return writeStatus(ctx, obj.status, typeof rv === 'string' && rv !== '' ? rv : undefined, warnings);
}

/** PATCH on /status: a merge patch of which only the status part is applied. */
export async function patchStatus(ctx: VerbContext, patch: unknown, warnings: string[]): Promise<Reply> {
  const found = current(ctx);
  if ('reply' in found) return found.reply;
  const cur = found.obj;
  if (!isObject(patch)) return failure(400, 'BadRequest', 'a merge patch must be a JSON object');
  const merged = mergePatched(cur, patch) as K8sObject; // shares the frozen parts the patch does not touch
  const rv = isObject(patch.metadata) && typeof patch.metadata.resourceVersion === 'string' ? patch.metadata.resourceVersion : undefined;
  return writeStatus(ctx, merged.status, rv, warnings);
}

async function writeStatus(ctx: VerbContext, status: unknown, rv: string | undefined, warnings: string[]): Promise<Reply> {
  const found = current(ctx);
  if ('reply' in found) return found.reply;
  const cur = found.obj;
  // Admission sees the stored object with the new status: nothing else can change here.
  const candidate: K8sObject = { ...cur }; // only the top level changes: the rest stays frozen and shared
  if (status === undefined) delete candidate.status;
  else candidate.status = status;
  const adm = await runAdmission(ctx.admit, candidate, ctx.route.info);
  if ('reply' in adm) return withWarnings(adm.reply, warnings);
  return attempt(ctx, () => ctx.store.updateStatus(keyOfRoute(ctx.route), adm.obj.status, rv), 200, [...warnings, ...adm.warnings]);
}

function withWarnings(r: Reply, warnings: string[]): Reply {
  const all = [...warnings, ...(r.warnings ?? [])];
  return all.length ? { ...r, warnings: all } : r;
}
