import type { Store } from '../store/store.ts';
import type { K8sObject } from '../api/object.ts';
import { GATEWAY_GROUP } from '../api/kinds.ts';
import type { Logger } from './log.ts';

/**
 * Tells the user, once per object and change, about configuration Gatehouse deliberately ignores
 * (a GatewayClass of another controller) and which Gateways are now reachable at which URL. Silence
 * would look like a bug: a new user's first manifests often name another controller.
 */
export function watchNotices(store: Store, controllerName: string, log: Logger): () => void {
  const foreignSeen = new Map<string, string>();
  const urlsSeen = new Map<string, string>();

  const checkClass = (gc: K8sObject) => {
    const name = gc.metadata.name;
    const cn = gc.spec?.controllerName;
    if (cn === controllerName) {
      foreignSeen.delete(name);
      return;
    }
    if (foreignSeen.get(name) === cn) return;
    foreignSeen.set(name, cn);
    log(
      'warn',
      `GatewayClass ${name} has controllerName "${cn}", but this Gatehouse serves "${controllerName}": ` +
        `the class and its Gateways are left alone. To serve it, restart with --controller-name ${cn}`,
    );
  };

  const checkGateway = (gw: K8sObject) => {
    const id = `${gw.metadata.namespace}/${gw.metadata.name}`;
    const urls = gatewayUrls(gw);
    const text = urls.join(' ');
    if (urlsSeen.get(id) === text) return;
    urlsSeen.set(id, text);
    if (urls.length) log('info', `Gateway ${id} is serving: ${text}`);
  };

  for (const gc of store.list(GATEWAY_GROUP, 'GatewayClass')) checkClass(gc);
  return store.watch((ev) => {
    if (ev.object.apiVersion.startsWith(GATEWAY_GROUP + '/')) {
      if (ev.object.kind === 'GatewayClass' && ev.type !== 'DELETED') checkClass(ev.object);
      if (ev.object.kind === 'GatewayClass' && ev.type === 'DELETED') foreignSeen.delete(ev.object.metadata.name);
      if (ev.object.kind === 'Gateway' && ev.type !== 'DELETED') checkGateway(ev.object);
      if (ev.object.kind === 'Gateway' && ev.type === 'DELETED') urlsSeen.delete(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
    }
  });
}

/** "http://address:port/" for every programmed HTTP(S) listener of a Gateway, from its status. */
export function gatewayUrls(gw: K8sObject): string[] {
  const addr = gw.status?.addresses?.[0]?.value;
  if (!addr) return [];
  const programmed = new Set<string>(
    (gw.status?.listeners ?? [])
      .filter((l: any) => (l.conditions ?? []).some((c: any) => c.type === 'Programmed' && c.status === 'True'))
      .map((l: any) => l.name),
  );
  const urls: string[] = [];
  for (const l of gw.spec?.listeners ?? []) {
    if (!programmed.has(l.name)) continue;
    const scheme = l.protocol === 'HTTPS' ? 'https' : l.protocol === 'HTTP' ? 'http' : undefined;
    if (!scheme) continue;
    const host = l.hostname && !l.hostname.startsWith('*') ? l.hostname : addr;
    const defaultPort = (scheme === 'http' && l.port === 80) || (scheme === 'https' && l.port === 443);
    urls.push(`${scheme}://${host}${defaultPort ? '' : ':' + l.port}/` + (host !== addr ? ` (resolve ${host} to ${addr})` : ''));
  }
  return urls;
}
