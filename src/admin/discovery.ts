/**
 * API discovery, enough for kubectl-like tools to find resources: `/api`, `/api/v1`, `/apis`,
 * `/apis/{group}`, `/apis/{group}/{version}`, and `/version`.
 */
import { KINDS, type KindInfo } from '../api/kinds.ts';
import { servesVersion } from './route.ts';
import { shortNamesOf, singularOf } from './names.ts';
import { ok, type Reply } from './reply.ts';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];

/** Groups other than core, in KINDS order, each with its served versions (stored version first). */
function groups(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of KINDS) {
    if (!k.group) continue;
    const versions = out.get(k.group) ?? [];
    for (const v of [k.version, ...k.deprecatedVersions]) if (!versions.includes(v)) versions.push(v);
    out.set(k.group, versions);
  }
  return out;
}

function apiGroup(name: string, versions: string[]) {
  const vs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

function resourcesOf(info: KindInfo) {
  const main = {
    name: info.plural,
    singularName: singularOf(info),
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: VERBS,
    ...(shortNamesOf(info).length ? { shortNames: [...shortNamesOf(info)] } : {}),
  };
  if (!info.hasStatus) return [main];
  return [main, { name: `${info.plural}/status`, singularName: '', namespaced: info.namespaced, kind: info.kind, verbs: STATUS_VERBS }];
}

/**
 * The discovery document for a path, or undefined when the path is not a discovery path.
 * `serverAddress` is what `/api` reports clients should use.
 */
export function discovery(segs: readonly string[], serverAddress: string): Reply | undefined {
  if (segs.length === 1 && segs[0] === 'api') {
    return ok({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] });
  }
  if (segs.length === 1 && segs[0] === 'version') {
    return ok({ major: '1', minor: '33', gitVersion: 'v1.33.0+gatehouse', platform: `${process.platform}/${process.arch}` });
  }
  if (segs.length === 2 && segs[0] === 'api' && segs[1] === 'v1') return resourceList('', 'v1');
  if (segs[0] !== 'apis') return undefined;
  const all = groups();
  if (segs.length === 1) {
    return ok({ kind: 'APIGroupList', apiVersion: 'v1', groups: [...all].map(([name, vs]) => apiGroup(name, vs)) });
  }
  const versions = all.get(segs[1]);
  if (!versions) return undefined;
  if (segs.length === 2) return ok({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(segs[1], versions) });
  if (segs.length === 3 && versions.includes(segs[2])) return resourceList(segs[1], segs[2]);
  return undefined;
}

function resourceList(group: string, version: string): Reply {
  const resources = KINDS.filter((k) => k.group === group && servesVersion(k, version)).flatMap(resourcesOf);
  return ok({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources });
}
