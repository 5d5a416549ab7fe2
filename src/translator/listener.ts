/**
 * One Gateway listener: protocol support, route kinds, certificate references, and the
 * listener conditions (Accepted, Programmed, ResolvedRefs, Conflicted) once the Gateway pass knows
 * about conflicts, the address and bind errors.
 */
import { CondType, ListenerReason, cond } from '../status/conditions.ts';
import type { DraftCondition } from '../status/conditions.ts';
import { PROTOCOL_ROUTE_KINDS, resolveKinds } from './allowedroutes.ts';
import { checkCertificateRefs } from './certs.ts';
import type { Conflict } from './conflicts.ts';
import type { Ctx, GatewayState, ListenerSetState, ListenerState } from './model.ts';

/** Protocols the data plane serves from the IR today. The others are accepted but Pending. */
const SERVED_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP']);
/** Protocols whose listeners carry TLS certificates to check. */
const TLS_PROTOCOLS = new Set(['HTTPS', 'TLS']);

/** A listener with the problems found so far; conditions are written by finishListener. */
export interface ListenerCheck {
  readonly state: ListenerState;
  readonly protocolKnown: boolean;
  refs?: { reason: ListenerReason; message: string };
  conflict?: Conflict;
  /** Not accepted for a reason of its own spec (NoValidCACertificate, frontendtls.ts). */
  rejected?: { reason: ListenerReason; message: string };
}

/**
 * Builds the listener's state and checks what depends only on its own spec. `listenerSet` is the
 * ListenerSet declaring it (its certificate references are then checked as the set's, not the Gateway's).
 */
export function buildListener(ctx: Ctx, gw: GatewayState, spec: any, listenerSet?: ListenerSetState): ListenerCheck {
  const protocol = String(spec?.protocol ?? '');
  const protocolKnown = protocol in PROTOCOL_ROUTE_KINDS;
  const kinds = protocolKnown ? resolveKinds(protocol, spec?.allowedRoutes) : { supported: [], invalid: [] };
  const state: ListenerState = {
    gateway: gw,
    ...(listenerSet && { listenerSet }),
    name: String(spec?.name ?? ''),
    port: Number(spec?.port ?? 0),
    protocol,
    hostname: typeof spec?.hostname === 'string' ? spec.hostname.toLowerCase() : '',
    spec,
    kinds: kinds.supported,
    report: { name: String(spec?.name ?? ''), supportedKinds: kinds.supported, attachedRoutes: 0, conditions: [] },
    accepted: false,
    servable: false,
    routes: [],
  };
  let refs: ListenerCheck['refs'];
  if (kinds.invalid.length > 0) {
    refs = { reason: ListenerReason.InvalidRouteKinds, message: `route kinds not supported on a ${protocol} listener: ${kinds.invalid.join(', ')}` };
  } else if (TLS_PROTOCOLS.has(protocol)) {
    const certs = checkCertificateRefs(ctx, listenerSet?.obj ?? gw.obj, spec?.tls);
    if (certs.ok) state.certificates = certs.certificates;
    else refs = { reason: certs.reason, message: certs.message };
  }
  return { state, protocolKnown, refs };
}

/** What the Gateway decided that applies to all its listeners. */
export interface GatewayVerdict {
  /** False when the Gateway as a whole is not accepted or has no address. */
  readonly usable: boolean;
  readonly message: string;
  readonly bindError?: string;
}

/**
 * Whether the listener's reference problems stop it from serving. Unresolved certificates do;
 * unsupported route kinds do only when no supported kind is left (the others can still attach).
 */
export function refsBlockServing(chk: ListenerCheck): boolean {
  if (!chk.refs) return false;
  return chk.refs.reason !== ListenerReason.InvalidRouteKinds || chk.state.kinds.length === 0;
}

/** Writes the listener's conditions and its accepted/servable flags. */
export function finishListener(chk: ListenerCheck, gw: GatewayVerdict): void {
  const s = chk.state;
  const c: DraftCondition[] = [];
  const blocked = refsBlockServing(chk);
  const wouldServe = !blocked && gw.usable && SERVED_PROTOCOLS.has(s.protocol);
  let programmed: DraftCondition;
  if (!chk.protocolKnown) {
    c.push(cond(CondType.Accepted, false, ListenerReason.UnsupportedProtocol, `protocol "${s.protocol}" is not supported`));
    programmed = cond(CondType.Programmed, false, ListenerReason.Invalid, 'listener is not accepted');
  } else if (chk.conflict) {
    c.push(cond(CondType.Accepted, false, chk.conflict.reason, chk.conflict.message));
    programmed = cond(CondType.Programmed, false, chk.conflict.reason, chk.conflict.message);
  } else if (chk.rejected) {
    c.push(cond(CondType.Accepted, false, chk.rejected.reason, chk.rejected.message));
    programmed = cond(CondType.Programmed, false, ListenerReason.Invalid, chk.rejected.message);
  } else if (gw.bindError !== undefined) {
    // Kept in the IR on purpose: the data plane retries the bind on the next version, and dropping
    // the socket would make the error vanish and the listener flap between two states.
    s.servable = wouldServe;
    const msg = `cannot listen on port ${s.port}: ${gw.bindError}`;
    c.push(cond(CondType.Accepted, false, ListenerReason.PortUnavailable, msg));
    programmed = cond(CondType.Programmed, false, ListenerReason.Invalid, msg);
  } else {
    s.accepted = true;
    s.servable = wouldServe;
    c.push(cond(CondType.Accepted, true, ListenerReason.Accepted, 'listener is accepted'));
    if (blocked) programmed = cond(CondType.Programmed, false, ListenerReason.Invalid, 'listener has unresolved references');
    else if (!gw.usable) programmed = cond(CondType.Programmed, false, ListenerReason.Invalid, gw.message);
    else if (!wouldServe) {
      programmed = cond(CondType.Programmed, false, ListenerReason.Pending, `${s.protocol} listeners are not served by this data plane yet`);
    } else programmed = cond(CondType.Programmed, true, ListenerReason.Programmed, 'listener is programmed');
  }
  c.push(programmed);
  c.push(chk.refs
    ? cond(CondType.ResolvedRefs, false, chk.refs.reason, chk.refs.message)
    : cond(CondType.ResolvedRefs, true, ListenerReason.ResolvedRefs, 'all references are resolved'));
  c.push(chk.conflict
    ? cond(CondType.Conflicted, true, chk.conflict.reason, chk.conflict.message)
    : cond(CondType.Conflicted, false, ListenerReason.NoConflicts, 'no conflicts'));
  s.report.conditions = c;
}

/** True when the listener has no problem at all (the Gateway reports ListenersNotValid otherwise). */
export function listenerClean(chk: ListenerCheck): boolean {
  return chk.state.accepted && chk.refs === undefined;
}

/** The listener's Programmed condition status, for the Gateway's own Programmed condition. */
export function listenerProgrammed(chk: ListenerCheck): 'True' | 'Pending' | 'False' {
  const p = chk.state.report.conditions.find((c) => c.type === CondType.Programmed);
  if (p?.status === 'True') return 'True';
  return p?.reason === ListenerReason.Pending ? 'Pending' : 'False';
}
