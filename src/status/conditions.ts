/**
 * Condition types and reasons of the Gateway API status model, as typed constants. The names are
 * the specification's; each group lists where the reason may appear so a pass cannot attach a
 * Gateway reason to a route by accident.
 */

/** Condition types used on GatewayClasses, Gateways, listeners and route parents. */
export const CondType = {
  Accepted: 'Accepted',
  Programmed: 'Programmed',
  ResolvedRefs: 'ResolvedRefs',
  Conflicted: 'Conflicted',
  PartiallyInvalid: 'PartiallyInvalid',
  /** Gateway only, present (True) while some frontend validation uses AllowInsecureFallback (GEP-91). */
  InsecureFrontendValidationMode: 'InsecureFrontendValidationMode',
} as const;
export type CondType = (typeof CondType)[keyof typeof CondType];

/** Reasons of a GatewayClass's Accepted condition. */
export const ClassReason = {
  Accepted: 'Accepted',
  InvalidParameters: 'InvalidParameters',
  Pending: 'Pending',
  Unsupported: 'Unsupported',
} as const;
export type ClassReason = (typeof ClassReason)[keyof typeof ClassReason];

/** Reasons of a Gateway's Accepted and Programmed conditions. */
export const GatewayReason = {
  Accepted: 'Accepted',
  ListenersNotValid: 'ListenersNotValid',
  InvalidParameters: 'InvalidParameters',
  UnsupportedAddress: 'UnsupportedAddress',
  Pending: 'Pending',
  Programmed: 'Programmed',
  Invalid: 'Invalid',
  NoResources: 'NoResources',
  AddressNotAssigned: 'AddressNotAssigned',
  AddressNotUsable: 'AddressNotUsable',
  /** InsecureFrontendValidationMode=True. */
  ConfigurationChanged: 'ConfigurationChanged',
} as const;
export type GatewayReason = (typeof GatewayReason)[keyof typeof GatewayReason];

/** Reasons of a listener's Accepted, Programmed, ResolvedRefs and Conflicted conditions. */
export const ListenerReason = {
  Accepted: 'Accepted',
  PortUnavailable: 'PortUnavailable',
  UnsupportedProtocol: 'UnsupportedProtocol',
  Pending: 'Pending',
  Programmed: 'Programmed',
  Invalid: 'Invalid',
  ResolvedRefs: 'ResolvedRefs',
  InvalidCertificateRef: 'InvalidCertificateRef',
  InvalidRouteKinds: 'InvalidRouteKinds',
  RefNotPermitted: 'RefNotPermitted',
  HostnameConflict: 'HostnameConflict',
  ProtocolConflict: 'ProtocolConflict',
  NoConflicts: 'NoConflicts',
  /** Frontend validation (Gateway spec.tls.frontend) of an HTTPS listener's port: a CA reference that does not resolve. */
  InvalidCACertificateRef: 'InvalidCACertificateRef',
  /** Frontend validation: a CA reference to a kind other than ConfigMap or Secret. */
  InvalidCACertificateKind: 'InvalidCACertificateKind',
  /** Accepted=False: every CA reference of the listener's frontend validation is invalid. */
  NoValidCACertificate: 'NoValidCACertificate',
} as const;
export type ListenerReason = (typeof ListenerReason)[keyof typeof ListenerReason];

/** Reasons of a route parent's Accepted and ResolvedRefs conditions. */
export const RouteReason = {
  Accepted: 'Accepted',
  NotAllowedByListeners: 'NotAllowedByListeners',
  NoMatchingListenerHostname: 'NoMatchingListenerHostname',
  NoMatchingParent: 'NoMatchingParent',
  UnsupportedValue: 'UnsupportedValue',
  Pending: 'Pending',
  IncompatibleFilters: 'IncompatibleFilters',
  ResolvedRefs: 'ResolvedRefs',
  RefNotPermitted: 'RefNotPermitted',
  InvalidKind: 'InvalidKind',
  BackendNotFound: 'BackendNotFound',
  UnsupportedProtocol: 'UnsupportedProtocol',
  /**
   * Not a reason of the standard set: an HTTPRoute and a GRPCRoute claim one hostname of a listener
   * and this route is the newer one (cross serving). Named after GEP-1294's route-type conflict reason.
   */
  Conflicted: 'Conflicted',
} as const;
export type RouteReason = (typeof RouteReason)[keyof typeof RouteReason];

/** Reasons of a ListenerSet's own Accepted and Programmed conditions (GEP-1713). */
export const ListenerSetReason = {
  Accepted: 'Accepted',
  NotAllowed: 'NotAllowed',
  ParentNotAccepted: 'ParentNotAccepted',
  ListenersNotValid: 'ListenersNotValid',
  Programmed: 'Programmed',
  Pending: 'Pending',
  Invalid: 'Invalid',
} as const;
export type ListenerSetReason = (typeof ListenerSetReason)[keyof typeof ListenerSetReason];

/**
 * Reasons of a policy ancestor's Accepted and ResolvedRefs conditions (BackendTLSPolicy, GEP-1897 and the
 * policy status model of GEP-713).
 */
export const PolicyReason = {
  Accepted: 'Accepted',
  Conflicted: 'Conflicted',
  Invalid: 'Invalid',
  TargetNotFound: 'TargetNotFound',
  NoValidCACertificate: 'NoValidCACertificate',
  ResolvedRefs: 'ResolvedRefs',
  InvalidCACertificateRef: 'InvalidCACertificateRef',
  InvalidKind: 'InvalidKind',
} as const;
export type PolicyReason = (typeof PolicyReason)[keyof typeof PolicyReason];

/** Reasons of a Gateway's own ResolvedRefs condition for spec.tls.backend.clientCertificateRef (GEP-3155). */
export const GatewayBackendTLSReason = {
  ResolvedRefs: 'ResolvedRefs',
  InvalidClientCertificateRef: 'InvalidClientCertificateRef',
  RefNotPermitted: 'RefNotPermitted',
} as const;
export type GatewayBackendTLSReason = (typeof GatewayBackendTLSReason)[keyof typeof GatewayBackendTLSReason];

/** Any reason above. */
export type Reason = ClassReason | GatewayReason | ListenerReason | RouteReason | ListenerSetReason | PolicyReason | GatewayBackendTLSReason;

/** A condition as a pass decides it, before generation and transition time are stamped on it. */
export interface DraftCondition {
  readonly type: CondType;
  readonly status: 'True' | 'False';
  readonly reason: Reason;
  readonly message: string;
}

/** A condition as written to status (metav1.Condition). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** Shorthand for a DraftCondition. */
export function cond(type: CondType, ok: boolean, reason: Reason, message: string): DraftCondition {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

/**
 * Stamps drafts with observedGeneration and lastTransitionTime. The time is kept from the existing
 * condition of the same type when its status did not change (so an unchanged world writes an
 * unchanged status), otherwise it is `now`.
 */
export function finalize(
  drafts: readonly DraftCondition[],
  existing: unknown,
  generation: number | undefined,
  now: string,
): Condition[] {
  const prev = new Map<string, Record<string, unknown>>();
  if (Array.isArray(existing)) {
    for (const c of existing) {
      if (c && typeof c === 'object' && typeof (c as any).type === 'string') prev.set((c as any).type, c as any);
    }
  }
  return drafts.map((d) => {
    const old = prev.get(d.type);
    const kept = old && old.status === d.status && typeof old.lastTransitionTime === 'string';
    const lastTransitionTime = kept ? (old.lastTransitionTime as string) : now;
    // Built field by field so the serialised key order is the conventional one.
    const c: Condition = generation === undefined
      ? { type: d.type, status: d.status, reason: d.reason, message: d.message, lastTransitionTime }
      : { type: d.type, status: d.status, reason: d.reason, message: d.message, observedGeneration: generation, lastTransitionTime };
    return c;
  });
}
