/**
 * One listener's IR rebuilt after a few routes were detached from it or attached to it, in work
 * proportional to the hostnames they touch (delta.ts). The listener's last build (ListenerMemo, ir.ts)
 * is updated in place: only the touched hostname groups are filtered, merged and sorted again; the
 * hostnames stay sorted by binary insertion; virtual hosts of untouched hostnames are the same objects.
 * A touched wildcard or any-host group covers other hostnames, so then every virtual host is rebuilt
 * (still reusing the unchanged ones by identity). The result equals what buildIR makes from scratch.
 */
import type { IRHttpListener, IRVirtualHost } from '../ir/types.ts';
import { compareHostnameSpecificity } from './hostnames.ts';
import { hasWildcards, hostGroup, httpListenerIR, virtualHost, type ListenerMemo, type Ranked } from './ir.ts';
import type { Attachment, CompiledRoute, ListenerState } from './model.ts';

/**
 * The IR listener `name` of `l` after `removed` routes left it and `added` attachments joined it
 * (`hosts`: every hostname either had there); undefined when the memo has no earlier build of it.
 */
export function patchListenerIR(
  l: ListenerState,
  prevIR: IRHttpListener,
  memo: ListenerMemo,
  removed: ReadonlySet<CompiledRoute>,
  added: readonly Attachment[],
  hosts: ReadonlySet<string>,
): IRHttpListener | undefined {
  const name = prevIR.name;
  const last = memo.last(name);
  if (last === undefined || last.hosts.length !== prevIR.virtualHosts.length) return undefined;
  const groups = last.groups;
  const vhosts = last.vhosts as Map<string, IRVirtualHost>;
  const wasWild = hasWildcards(last.hosts);
  let anyWild = false;
  for (const h of hosts) if (h.startsWith('*')) anyWild = true;
  // The hostnames and their virtual hosts, kept aligned (copies: the previous IR stays as it was).
  const sorted = last.hosts.slice();
  const virtualHosts = prevIR.virtualHosts.slice();
  for (const h of hosts) {
    const before = groups.get(h);
    const raw = before === undefined ? [] : before.raw.filter((x) => !removed.has(x.route));
    for (const a of added) if (a.hostnames.includes(h)) insertEntries(raw, a.route);
    const i = search(sorted, h);
    const present = sorted[i] === h;
    if (raw.length === 0) {
      if (present) {
        sorted.splice(i, 1);
        virtualHosts.splice(i, 1);
      }
      groups.delete(h);
      vhosts.delete(h);
      continue;
    }
    groups.set(h, hostGroup(raw));
    // No wildcard group changed: an exact hostname's virtual host depends on its own group and the
    // unchanged wildcard groups above it, and on nothing else. (Otherwise all are redone below.)
    const v = anyWild ? undefined : virtualHost(l, h, groups, wasWild, vhosts.get(h));
    if (v !== undefined) vhosts.set(h, v);
    if (present) {
      if (v !== undefined) virtualHosts[i] = v;
    } else {
      sorted.splice(i, 0, h);
      virtualHosts.splice(i, 0, v!); // a placeholder when anyWild, replaced below
    }
  }
  if (anyWild) {
    const wild = hasWildcards(sorted);
    for (let i = 0; i < sorted.length; i++) {
      const v = virtualHost(l, sorted[i], groups, wild, vhosts.get(sorted[i]));
      vhosts.set(sorted[i], v);
      virtualHosts[i] = v;
    }
    virtualHosts.length = sorted.length;
  }
  memo.replace(name, { groups, hosts: sorted, vhosts });
  return httpListenerIR(l, name, virtualHosts);
}

/** Inserts the entries of `route` where a from-scratch build has them: attachment (route name) order. */
function insertEntries(raw: Ranked[], route: CompiledRoute): void {
  let lo = 0;
  let hi = raw.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (raw[mid].route.key < route.key) lo = mid + 1;
    else hi = mid;
  }
  raw.splice(lo, 0, ...route.entries.map((entry) => ({ entry, route })));
}

/** The first index whose hostname does not sort before `h`. */
function search(sorted: readonly string[], h: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareHostnameSpecificity(sorted[mid], h) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
