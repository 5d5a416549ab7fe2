/**
 * The status report: what the translator decided about each object, keyed by object and by
 * listener / parentRef. Passes write only here, never into the (frozen) input objects; the report is
 * turned into StatusUpdates at the end (see updates.ts).
 */
import type { K8sObject } from '../api/object.ts';
import type { DraftCondition } from './conditions.ts';

/** A route kind a listener accepts. */
export interface RouteGroupKind {
  group: string;
  kind: string;
}

/** Status of one Gateway listener. attachedRoutes is counted by the route passes. */
export interface ListenerReport {
  name: string;
  supportedKinds: RouteGroupKind[];
  attachedRoutes: number;
  conditions: DraftCondition[];
}

/** Status of one Gateway. */
export interface GatewayReport {
  obj: K8sObject;
  addresses: { type: string; value: string }[];
  conditions: DraftCondition[];
  listeners: ListenerReport[];
  /** ListenerSets attached (accepted); undefined leaves status.attachedListenerSets unset. */
  attachedListenerSets?: number;
}

/** Status of one ListenerSet: its own conditions and one entry per listener it declares. */
export interface ListenerSetReport {
  obj: K8sObject;
  conditions: DraftCondition[];
  listeners: ListenerReport[];
}

/** Status of one GatewayClass. */
export interface ClassReport {
  obj: K8sObject;
  conditions: DraftCondition[];
  supportedFeatures: readonly string[];
}

/** This controller's status for one parentRef of a route. */
export interface RouteParentReport {
  /** The parentRef exactly as the route wrote it. */
  parentRef: Record<string, unknown>;
  conditions: DraftCondition[];
}

/** This controller's status for one route: one entry per parentRef it owns (possibly none). */
export interface RouteReport {
  obj: K8sObject;
  parents: RouteParentReport[];
}

/** This controller's status for one ancestor (a Gateway) of a policy. */
export interface PolicyAncestorReport {
  /** A ParentReference to the ancestor (group, kind, namespace, name). */
  ancestorRef: Record<string, unknown>;
  conditions: DraftCondition[];
}

/** This controller's status for one policy (BackendTLSPolicy): one entry per ancestor of ours (possibly none). */
export interface PolicyReport {
  obj: K8sObject;
  ancestors: PolicyAncestorReport[];
}

/** Everything the passes decided, keyed by object ("group/Kind/namespace/name", see keyString). */
export class StatusReport {
  /** Policies (BackendTLSPolicy), additive. */
  readonly policies = new Map<string, PolicyReport>();
  readonly classes = new Map<string, ClassReport>();
  readonly gateways = new Map<string, GatewayReport>();
  readonly routes = new Map<string, RouteReport>();
  readonly listenerSets = new Map<string, ListenerSetReport>();
}
