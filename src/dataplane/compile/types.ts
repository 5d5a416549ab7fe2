/**
 * Compiled tables: what one IR version becomes once, before it is swapped in. Everything here is built at
 * compile time and read-only afterwards, except the load-balancing cursors inside the pickers.
 */
import type { IR, IRProtocol, IRRetry, IRTimeouts } from '../../ir/types.ts';
import type { FilterPlan } from '../filters/plan.ts';
import type { HostTable } from '../router/hosts.ts';
import type { WeightedPicker } from './backends.ts';
import type { PathMatcher, ValueMatcher } from './matchers.ts';

/** One route, precompiled. */
export interface CompiledRoute {
  readonly id: string;
  readonly ruleName: string | undefined;
  readonly path: PathMatcher;
  readonly method: string | undefined;
  readonly headers: readonly ValueMatcher[];
  readonly query: readonly ValueMatcher[];
  /** Compile errors (bad regex...). Non-empty: the route matches as usual but answers 500. */
  readonly errors: readonly string[];
  readonly plan: FilterPlan;
  /** Per-backend filter plans, index-aligned with `picker.backends`. */
  readonly backendPlans: readonly FilterPlan[];
  readonly picker: WeightedPicker;
  readonly timeouts: IRTimeouts | undefined;
  readonly retry: IRRetry | undefined;
  /** Answer for a match with no backend to go to: 501 (gRPC UNIMPLEMENTED) on GRPCRoute routes, else 500. */
  readonly noBackendStatus: number;
}

/** A virtual host: ordered routes; `needsQuery` says whether any route looks at the query string. */
export interface CompiledVirtualHost {
  readonly hostname: string;
  readonly routes: readonly CompiledRoute[];
  readonly needsQuery: boolean;
}

/** A Gateway listener on a socket, with its virtual hosts. */
export interface CompiledListener {
  readonly name: string;
  readonly hostname: string;
  readonly vhosts: HostTable<CompiledVirtualHost>;
}

/** One bound socket's table. */
export interface CompiledSocket {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: IRProtocol;
  readonly gateway: string;
  readonly listeners: HostTable<CompiledListener>;
}

/** One IR version, compiled. */
export interface CompiledConfig {
  readonly version: number;
  readonly ir: IR;
  readonly sockets: ReadonlyMap<string, CompiledSocket>;
}
