/**
 * The translator's working model: what the passes build from the snapshot and hand to each other.
 * Internal to src/translator; nothing here is part of the IR or of the status.
 */
import type { K8sObject } from '../api/object.ts';
import type { Snapshot } from '../store/snapshot.ts';
import type { IRBackend, IRCertificate, IRRoute, IRClientValidation, IRFilter, IRMatch, IRRetry, IRTimeouts } from '../ir/types.ts';
import type { GatewayReport, ListenerReport, RouteGroupKind, StatusReport } from '../status/report.ts';
import type { DepRecorder } from './deps.ts';
import type { TranslatorMemo } from './memo.ts';
import type { RefEnd } from './referencegrant.ts';
import type { TranslateEnv } from './types.ts';

/** Answers "may an object of `from` refer to `to`?" (ReferenceGrants, or a recording wrapper of it). */
export interface GrantChecker {
  allows(from: RefEnd, to: RefEnd & { name: string }): boolean;
}

/** Shared by every pass of one translation. */
export interface Ctx {
  readonly snap: Snapshot;
  readonly env: TranslateEnv;
  readonly report: StatusReport;
  readonly grants: GrantChecker;
  /** Present in an incremental translator: per-route results kept between translations (memo.ts). */
  readonly memo?: TranslatorMemo;
  /** Present while memoised work runs: what it reads (deps.ts). */
  readonly deps?: DepRecorder;
}

/** A Gateway of ours whose class is accepted. */
export interface GatewayState {
  readonly obj: K8sObject;
  /** "namespace/name". */
  readonly key: string;
  /** The assigned address; undefined when the allocator refused. */
  address?: string;
  /** Every assigned address when there are several (`address` is the first); see gatewayaddresses.ts. */
  addresses?: readonly string[];
  readonly listeners: ListenerState[];
  readonly report: GatewayReport;
  /** ListenerSets whose parentRef names this Gateway, in listener precedence order (set by the ListenerSet pass). */
  listenerSets?: ListenerSetState[];
}

/**
 * A ListenerSet whose parentRef names one of our accepted-class Gateways. Only an accepted set has
 * listeners; a refused one (NotAllowed, ParentNotAccepted) is kept so routes naming it get a status.
 */
export interface ListenerSetState {
  readonly obj: K8sObject;
  /** "namespace/name". */
  readonly key: string;
  readonly gateway: GatewayState;
  readonly listeners: ListenerState[];
  /** Why the set is not attached to its Gateway; undefined when it is accepted. */
  refused?: string;
}

/** One listener of a Gateway, with what the gateway pass decided about it. */
export interface ListenerState {
  readonly gateway: GatewayState;
  /** The ListenerSet that declares this listener; undefined for the Gateway's own listeners. */
  readonly listenerSet?: ListenerSetState;
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  /** Lower case; "" when the listener accepts any host. */
  readonly hostname: string;
  readonly spec: any;
  /** Route kinds that may attach (also reported as supportedKinds). */
  readonly kinds: RouteGroupKind[];
  readonly report: ListenerReport;
  /** Accepted condition true (protocol supported, not conflicted, port bound). */
  accepted: boolean;
  /** Served through the IR (HTTP or HTTPS, accepted, refs resolved, gateway addressed). */
  servable: boolean;
  /** Routes attached here, each with its effective hostnames on this listener. */
  readonly routes: Attachment[];
  /** HTTPS/TLS listeners whose certificateRefs all resolved: the certificates, in ref order. */
  certificates?: readonly IRCertificate[];
  /** HTTPS listeners targeted by the Gateway's frontend validation with at least one valid CA (frontendtls.ts). */
  clientValidation?: IRClientValidation;
}

/** A route attached to a listener. */
export interface Attachment {
  readonly route: CompiledRoute;
  /** Effective hostnames (route ∩ listener); "*" when neither restricts. */
  readonly hostnames: readonly string[];
}

/** A route translated once, independent of where it attaches. */
export interface CompiledRoute {
  /** The route compiled; with a memo, possibly an earlier version of it with the same spec and metadata read. */
  readonly obj: K8sObject;
  readonly kind: string;
  /** "namespace/name". */
  readonly key: string;
  readonly creationTimestamp?: string;
  /** One per (rule, match), in spec order. */
  readonly entries: readonly RouteEntry[];
  /** TLSRoute, TCPRoute, UDPRoute: the weighted backends of all rules (entries is then empty). */
  readonly l4Backends?: readonly IRBackend[];
}

/** One match of one rule: the unit the precedence sort orders. */
export interface RouteEntry {
  readonly id: string;
  readonly ruleName?: string;
  readonly ruleIndex: number;
  readonly matchIndex: number;
  readonly match: IRMatch;
  readonly filters: readonly IRFilter[];
  readonly backends: readonly IRBackend[];
  readonly timeouts?: IRTimeouts;
  readonly retry?: IRRetry;
  /** A GRPCRoute entry (see IRRoute.grpc). */
  readonly grpc?: true;
  /** The IR route made from this entry, kept so every translation hands the same object on (ir.ts). */
  ir?: IRRoute;
}
