/** The few admin-API calls the control-plane scenarios make (Kubernetes-style REST, JSON). */
import { httpCall, type HttpAnswer } from './net.ts';

type Obj = Record<string, unknown>;

const PLURALS: Record<string, string> = {
  HTTPRoute: 'httproutes',
  Gateway: 'gateways',
  Service: 'services',
  EndpointSlice: 'endpointslices',
  Namespace: 'namespaces',
  Secret: 'secrets',
};

/** The collection path of an object's kind in its namespace. */
export function collectionPath(obj: Obj): string {
  const apiVersion = obj.apiVersion as string;
  const kind = obj.kind as string;
  const ns = (obj.metadata as { namespace?: string }).namespace;
  const plural = PLURALS[kind];
  if (plural === undefined) throw new Error(`bench admin client: unknown kind ${kind}`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return ns === undefined ? `${base}/${plural}` : `${base}/namespaces/${ns}/${plural}`;
}

/** The path of one object. */
export function objectPath(obj: Obj): string {
  return `${collectionPath(obj)}/${(obj.metadata as { name: string }).name}`;
}

/** POST the object; throws with the server's message unless 201/200. */
export async function create(adminUrl: string, obj: Obj): Promise<HttpAnswer> {
  const r = await httpCall(adminUrl + collectionPath(obj), { method: 'POST', body: JSON.stringify(obj) });
  if (r.status !== 201 && r.status !== 200) throw new Error(`create ${objectPath(obj)}: ${r.status} ${r.body.slice(0, 300)}`);
  return r;
}

/** JSON merge-patch of one object; throws unless 200. */
export async function mergePatch(adminUrl: string, obj: Obj, patch: Obj): Promise<HttpAnswer> {
  const r = await httpCall(adminUrl + objectPath(obj), { method: 'PATCH', body: JSON.stringify(patch), contentType: 'application/merge-patch+json' });
  if (r.status !== 200) throw new Error(`patch ${objectPath(obj)}: ${r.status} ${r.body.slice(0, 300)}`);
  return r;
}

/** GET a path and parse the JSON; throws unless 200. */
export async function getJson(adminUrl: string, path: string): Promise<Obj> {
  const r = await httpCall(adminUrl + path, { timeoutMs: 30_000 });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body) as Obj;
}

/** Sum of attachedRoutes over a Gateway's listeners (undefined before status is written). */
export async function attachedRoutes(adminUrl: string, ns: string, name: string): Promise<number | undefined> {
  const gw = await getJson(adminUrl, `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/gateways/${name}`);
  const listeners = (gw.status as { listeners?: Array<{ attachedRoutes?: number }> } | undefined)?.listeners;
  return listeners?.reduce((a, l) => a + (l.attachedRoutes ?? 0), 0);
}
