/**
 * Maps a request path onto what it names, exactly as Kubernetes lays out its REST paths:
 *
 *   /api/v1/{plural}[/{name}[/status]]                                  cluster-scoped, or all namespaces
 *   /api/v1/namespaces/{ns}/{plural}[/{name}[/status]]                  namespaced
 *   /apis/{group}/{version}/...                                         the same below a group
 *
 * `/api/v1/namespaces/{name}` is the Namespace itself (a cluster-scoped kind), which the rules
 * above give without a special case.
 */
import { kindByPlural, type KindInfo } from '../api/kinds.ts';

/** A path naming a collection, one object, or one object's status. */
export interface ResourceRoute {
  info: KindInfo;
  /** The version in the path: the stored one or a deprecated one. */
  version: string;
  /** Set for namespaced paths; undefined for cluster-scoped kinds and all-namespace collections. */
  namespace?: string;
  name?: string;
  subresource?: 'status';
}

/** Splits a path into decoded segments; undefined when a segment is badly percent-encoded. */
export function segmentsOf(pathname: string): string[] | undefined {
  const trimmed = pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return [];
  try {
    return trimmed.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/**
 * The resource a path names, or undefined when it names none (unknown group, version, plural,
 * subresource, or a namespaced kind addressed without its namespace).
 */
export function parseResourcePath(segs: readonly string[]): ResourceRoute | undefined {
  let group: string;
  let version: string;
  let rest: readonly string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  const namespacedForm = rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && rest[2] === 'status');
  const [namespace, plural, name, sub, ...extra] = namespacedForm ? rest.slice(1) : [undefined, ...rest];
  if (extra.length || plural === undefined || plural === '' || name === '' || namespace === '') return undefined;
  if (sub !== undefined && sub !== 'status') return undefined;
  const info = kindByPlural(group, plural);
  if (!info || !servesVersion(info, version)) return undefined;
  // A namespaced kind's single objects live only below a namespace; a cluster-scoped kind has none.
  if (namespacedForm && !info.namespaced) return undefined;
  if (!namespacedForm && info.namespaced && name !== undefined) return undefined;
  const route: ResourceRoute = { info, version };
  if (namespace !== undefined) route.namespace = namespace;
  if (name !== undefined) route.name = name;
  if (sub === 'status') route.subresource = 'status';
  return route;
}

/** True when `version` is the stored version of the kind or one of its deprecated ones. */
export function servesVersion(info: KindInfo, version: string): boolean {
  return version === info.version || info.deprecatedVersions.includes(version);
}

/** The warning kube-apiserver gives for a deprecated version; undefined for the stored one. */
export function deprecationWarning(info: KindInfo, version: string): string | undefined {
  if (version === info.version) return undefined;
  const g = info.group ? `${info.group}/` : '';
  return `${g}${version} ${info.kind} is deprecated; use ${g}${info.version} ${info.kind}`;
}
