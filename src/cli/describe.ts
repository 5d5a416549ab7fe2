/**
 * `gatehouse describe KIND [NAME]`: one object (or every object of a kind) as readable text, focused
 * on what a user debugging attachment needs: conditions with their observedGeneration against the
 * object's generation, listeners with attached routes, route parents and policy ancestors.
 */
import YAML from 'yaml';
import { groupOf, type K8sObject } from '../api/object.ts';
import { kindInfo } from '../api/kinds.ts';
import { ageOf, loadObjects, kindOrUsage, printErr, renderTable, type Print } from './get.ts';

/** Arguments of describeCommand. */
export interface DescribeArgs {
  kind: string;
  name?: string;
  namespace?: string;
  allNamespaces?: boolean;
  admin: string;
  now?: Date;
}

/** Runs `describe`. Exit code: 0 ok, 1 not found or server error, 2 usage error. */
export async function describeCommand(args: DescribeArgs, out: Print, err: Print = printErr): Promise<number> {
  const info = kindOrUsage(args.kind, err);
  if (!info) return 2;
  const objs = await loadObjects(info, args, err);
  if (!objs) return 1;
  if (objs.length === 0) {
    err(`No resources found${info.namespaced && !args.allNamespaces ? ` in ${args.namespace || 'default'} namespace` : ''}.\n`);
    return 0;
  }
  const now = args.now ?? new Date();
  out(objs.map((o) => describeObject(o, now)).join('\n\n') + '\n');
  return 0;
}

/** Values start in this column, as in kubectl describe, unless a label is longer. */
const VALUE_COLUMN = 20;

/** Accumulates aligned `Label:  value` lines at increasing indents. */
class Text {
  readonly lines: string[] = [];
  field(indent: number, label: string, value: string): void {
    const head = `${' '.repeat(indent)}${label}:`;
    const width = Math.max(VALUE_COLUMN, head.length + 2);
    const [first, ...rest] = value.split('\n');
    this.lines.push(first === '' ? head : head.padEnd(width) + first);
    for (const l of rest) this.lines.push(' '.repeat(width) + l);
  }
  block(indent: number, text: string): void {
    for (const l of text.replace(/\n$/, '').split('\n')) this.lines.push((' '.repeat(indent) + l).trimEnd());
  }
}

function pairs(m: Record<string, string> | undefined): string {
  const e = Object.entries(m ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join('\n') : '<none>';
}

/** The whole description of one object. */
export function describeObject(o: K8sObject, now: Date): string {
  const t = new Text();
  const m = o.metadata;
  t.field(0, 'Name', m.name);
  if (m.namespace) t.field(0, 'Namespace', m.namespace);
  t.field(0, 'Kind', `${o.kind} (${o.apiVersion})`);
  t.field(0, 'Labels', pairs(m.labels));
  t.field(0, 'Annotations', pairs(m.annotations));
  t.field(0, 'Generation', String(m.generation ?? '<none>'));
  t.field(0, 'Resource Version', String(m.resourceVersion ?? '<none>'));
  t.field(0, 'Created', m.creationTimestamp ? `${m.creationTimestamp} (${ageOf(m.creationTimestamp, now)} ago)` : '<none>');
  for (const [k, v] of Object.entries(o)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    if (o.kind === 'Secret' && (k === 'data' || k === 'stringData')) describeSecretData(t, k, v);
    else describeValue(t, 0, title(k), v);
  }
  describeStatus(t, o);
  return t.lines.join('\n');
}

/** "spec" → "Spec", "stringData" → "String Data". */
function title(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

function describeValue(t: Text, indent: number, label: string, v: unknown): void {
  if (v === null || typeof v !== 'object') return t.field(indent, label, String(v));
  t.field(indent, label, '');
  t.block(indent + 2, YAML.stringify(v));
}

/** Secret values are never printed: only their sizes. */
function describeSecretData(t: Text, key: string, v: unknown): void {
  t.field(0, title(key), '');
  for (const [name, value] of Object.entries((v ?? {}) as Record<string, unknown>)) {
    const bytes = typeof value === 'string' ? (key === 'data' ? Buffer.from(value, 'base64').length : Buffer.byteLength(value)) : 0;
    t.field(2, name, `${bytes} bytes`);
  }
}

function describeStatus(t: Text, o: K8sObject): void {
  const s = o.status;
  if (s === undefined || s === null || (typeof s === 'object' && Object.keys(s).length === 0)) {
    // Only kinds with a status subresource are waiting for a controller to write one.
    if (kindInfo(groupOf(o.apiVersion), o.kind)?.hasStatus) t.field(0, 'Status', '<none> (no controller has reported status yet)');
    return;
  }
  if (typeof s !== 'object') return t.field(0, 'Status', String(s));
  const gen = o.metadata.generation;
  t.field(0, 'Status', '');
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'conditions') describeConditions(t, 2, v, gen);
    else if (k === 'addresses' && Array.isArray(v)) t.field(2, 'Addresses', v.map((a: any) => `${a?.value} (${a?.type ?? 'IPAddress'})`).join('\n') || '<none>');
    else if (k === 'listeners' && Array.isArray(v)) describeListeners(t, v, gen);
    else if ((k === 'parents' || k === 'ancestors') && Array.isArray(v)) describeParents(t, title(k), v, gen);
    else rest[k] = v;
  }
  for (const [k, v] of Object.entries(rest)) describeValue(t, 2, title(k), v);
}

/** A condition table: TYPE STATUS REASON OBSERVED MESSAGE, flagging conditions older than the spec. */
function describeConditions(t: Text, indent: number, conds: unknown, generation: number | undefined): void {
  if (!Array.isArray(conds) || conds.length === 0) return t.field(indent, 'Conditions', '<none>');
  t.field(indent, 'Conditions', '');
  const rows = [['TYPE', 'STATUS', 'REASON', 'OBSERVED', 'MESSAGE']];
  for (const c of conds as any[]) {
    rows.push([String(c?.type ?? ''), String(c?.status ?? ''), String(c?.reason ?? ''), observed(c?.observedGeneration, generation), String(c?.message ?? '')]);
  }
  t.block(indent + 2, renderTable(rows));
}

/** "2", or "1 (stale: generation 2)" when the condition was computed for an older spec. */
export function observed(obs: unknown, generation: number | undefined): string {
  if (typeof obs !== 'number') return '-';
  if (typeof generation === 'number' && obs < generation) return `${obs} (stale: generation ${generation})`;
  return String(obs);
}

function describeListeners(t: Text, listeners: any[], generation: number | undefined): void {
  t.field(2, 'Listeners', listeners.length ? '' : '<none>');
  for (const l of listeners) {
    t.field(4, String(l?.name ?? '<unnamed>'), '');
    t.field(6, 'Attached Routes', String(l?.attachedRoutes ?? 0));
    const kinds = (l?.supportedKinds ?? []).map((k: any) => (k?.group && k.group !== 'gateway.networking.k8s.io' ? `${k.kind}.${k.group}` : k?.kind));
    t.field(6, 'Supported Kinds', kinds.join(', ') || '<none>');
    describeConditions(t, 6, l?.conditions, generation);
  }
}

/** Route parents (status.parents) and policy ancestors (status.ancestors): which reference, which controller, conditions. */
function describeParents(t: Text, label: string, parents: any[], generation: number | undefined): void {
  t.field(2, label, parents.length ? '' : '<none>');
  for (const p of parents) {
    const ref = p?.parentRef ?? p?.ancestorRef ?? {};
    t.field(4, refText(ref), '');
    t.field(6, 'Controller', String(p?.controllerName ?? '<none>'));
    describeConditions(t, 6, p?.conditions, generation);
  }
}

/** "Gateway default/gw section http port 80" from a parentRef. */
function refText(ref: any): string {
  const kind = ref.kind ?? 'Gateway';
  const group = ref.group && ref.group !== 'gateway.networking.k8s.io' ? `.${ref.group}` : '';
  const where = ref.namespace ? `${ref.namespace}/${ref.name}` : String(ref.name);
  return `${kind}${group} ${where}${ref.sectionName ? ` section ${ref.sectionName}` : ''}${ref.port ? ` port ${ref.port}` : ''}`;
}
