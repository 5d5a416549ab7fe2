/**
 * `gatehouse get KIND [NAME]`: objects from the admin API as a kubectl-like table (a few useful
 * columns per kind), or as YAML / JSON.
 */
import YAML from 'yaml';
import type { K8sObject } from '../api/object.ts';
import { apiVersionOf, type KindInfo } from '../api/kinds.ts';
import { AdminClient, failureMessage, resolveKind } from './client.ts';

/** Arguments of getCommand (the lead's CLI parses them). */
export interface GetArgs {
  kind: string;
  name?: string;
  namespace?: string;
  allNamespaces?: boolean;
  output?: 'yaml' | 'json' | 'table';
  /** Admin API base URL. */
  admin: string;
  /** The time AGE is measured against; now by default. */
  now?: Date;
}

/** Where a command writes: one call per block of text, each ending in a newline. */
export type Print = (s: string) => void;

/** Writes to stderr; the default error sink of the commands. */
export const printErr: Print = (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

/** The kind a user typed, or undefined after printing the usage error. */
export function kindOrUsage(kind: string, err: Print): KindInfo | undefined {
  const info = resolveKind(kind);
  if (!info) err(`error: the server doesn't have a resource type "${kind}"\n`);
  return info;
}

/**
 * Fetches the objects a get/describe names: one by name, or all of a kind in a namespace (or all
 * namespaces). `default` is the namespace when none is given, as with kubectl.
 */
async function fetchObjects(client: AdminClient, info: KindInfo, a: { name?: string; namespace?: string; allNamespaces?: boolean }): Promise<K8sObject[]> {
  const ns = info.namespaced ? (a.allNamespaces && !a.name ? undefined : a.namespace || 'default') : undefined;
  if (a.name) return [await client.get(apiVersionOf(info), info.kind, ns, a.name)];
  return client.list(apiVersionOf(info), info.kind, ns);
}

/**
 * Fetches what `get` and `describe` show, printing a kubectl-style failure instead of throwing;
 * undefined means the command should exit 1.
 */
export async function loadObjects(
  info: KindInfo,
  a: { admin: string; name?: string; namespace?: string; allNamespaces?: boolean },
  err: Print,
): Promise<K8sObject[] | undefined> {
  const client = new AdminClient(a.admin, { onWarning: (w) => err(`Warning: ${w}\n`) });
  try {
    return await fetchObjects(client, info, a);
  } catch (e) {
    err(failureMessage(e, a.admin) + '\n');
    return undefined;
  }
}

/** Runs `get`. Exit code: 0 ok, 1 not found or server error, 2 usage error. */
export async function getCommand(args: GetArgs, out: Print, err: Print = printErr): Promise<number> {
  const info = kindOrUsage(args.kind, err);
  if (!info) return 2;
  if (args.name && args.allNamespaces && info.namespaced) {
    err('error: a resource cannot be retrieved by name across all namespaces\n');
    return 2;
  }
  const output = args.output ?? 'table';
  const objs = await loadObjects(info, args, err);
  if (!objs) return 1;
  if (output === 'json' || output === 'yaml') {
    const doc = args.name ? objs[0] : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: objs };
    out(output === 'json' ? JSON.stringify(doc, null, 4) + '\n' : YAML.stringify(doc));
    return 0;
  }
  if (objs.length === 0) {
    const where = info.namespaced && !args.allNamespaces ? ` in ${args.namespace || 'default'} namespace` : '';
    err(`No resources found${where}.\n`);
    return 0;
  }
  out(renderTable(tableOf(info, objs, Boolean(args.allNamespaces && info.namespaced && !args.name), args.now ?? new Date())));
  return 0;
}

/** One column of a kind's table. */
interface Column {
  header: string;
  value: (o: K8sObject) => string;
}

const NONE = '<none>';

/** The status of condition `type`, or Unknown when there is none yet. */
export function conditionStatus(o: K8sObject, type: string): string {
  const c = (o.status?.conditions ?? []).find((x: any) => x?.type === type);
  return typeof c?.status === 'string' ? c.status : 'Unknown';
}

function text(v: unknown): string {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : NONE;
}

function joined(v: unknown): string {
  return Array.isArray(v) && v.length ? v.map(String).join(',') : NONE;
}

const hostnames: Column[] = [{ header: 'HOSTNAMES', value: (o) => joined(o.spec?.hostnames) }];

/** The columns between NAME and AGE, per Kind. */
const KIND_COLUMNS: Record<string, Column[]> = {
  Gateway: [
    { header: 'CLASS', value: (o) => text(o.spec?.gatewayClassName) },
    { header: 'ADDRESS', value: (o) => text(o.status?.addresses?.[0]?.value) },
    { header: 'PROGRAMMED', value: (o) => conditionStatus(o, 'Programmed') },
  ],
  GatewayClass: [
    { header: 'CONTROLLER', value: (o) => text(o.spec?.controllerName) },
    { header: 'ACCEPTED', value: (o) => conditionStatus(o, 'Accepted') },
  ],
  HTTPRoute: hostnames,
  GRPCRoute: hostnames,
  TLSRoute: hostnames,
  Service: [
    { header: 'TYPE', value: (o) => text(o.spec?.type ?? 'ClusterIP') },
    { header: 'CLUSTER-IP', value: (o) => text(o.spec?.clusterIP) },
    { header: 'PORT(S)', value: (o) => joined((o.spec?.ports ?? []).map((p: any) => `${p?.port}/${p?.protocol ?? 'TCP'}`)) },
  ],
};

/** The rows (header first) of a table of objects of one kind. */
export function tableOf(info: KindInfo, objs: readonly K8sObject[], withNamespace: boolean, now: Date): string[][] {
  const cols: Column[] = [
    ...(withNamespace ? [{ header: 'NAMESPACE', value: (o: K8sObject) => text(o.metadata.namespace) }] : []),
    { header: 'NAME', value: (o) => o.metadata.name },
    ...(KIND_COLUMNS[info.kind] ?? []),
    { header: 'AGE', value: (o) => ageOf(o.metadata.creationTimestamp, now) },
  ];
  return [cols.map((c) => c.header), ...objs.map((o) => cols.map((c) => c.value(o)))];
}

/** Aligns rows into columns separated by three spaces, as kubectl does. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}

/** The AGE of an object created at `timestamp`. */
export function ageOf(timestamp: string | undefined, now: Date): string {
  const t = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isNaN(t) ? NONE : humanDuration((now.getTime() - t) / 1000);
}

/**
 * A duration the way kubectl shows ages: precise while short, coarser as it grows
 * (`45s`, `3m20s`, `95m`, `5h10m`, `30h`, `3d4h`, `120d`, `2y30d`, `9y`).
 */
export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (h < 24 * 365 * 8) return d % 365 ? `${y}y${d % 365}d` : `${y}y`;
  return `${y}y`;
}
