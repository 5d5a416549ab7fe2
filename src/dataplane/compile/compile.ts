/**
 * IR → compiled tables, once per IR version. Pure apart from building the pickers' cursors; it validates
 * what it can and throws `CompileError` only for a structurally broken IR (duplicate socket keys, bad ports).
 * Per-route problems (a regex that does not compile) are recorded on the route, which then answers 500.
 */
import type { IR, IRHttpListener, IRRoute, IRSocket, IRVirtualHost } from '../../ir/types.ts';
import { compileBackendFilters, compileFilters } from '../filters/plan.ts';
import { HostTable } from '../router/hosts.ts';
import { WeightedPicker } from './backends.ts';
import { compilePath, compileValueMatchers } from './matchers.ts';
import type { CompiledConfig, CompiledListener, CompiledRoute, CompiledSocket, CompiledVirtualHost } from './types.ts';

/** The IR cannot be served at all; the previous version keeps serving. */
export class CompileError extends Error {
  readonly code = 'GATEHOUSE_IR_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}

/** Compiles one route. */
export function compileRoute(r: IRRoute): CompiledRoute {
  const path = compilePath(r.match.path);
  const headers = compileValueMatchers(r.match.headers, 'header', true);
  const query = compileValueMatchers(r.match.queryParams, 'query parameter', false);
  const picker = new WeightedPicker(r.backends);
  const plan = compileFilters(r.filters);
  return {
    id: r.id,
    ruleName: r.ruleName,
    path: path.matcher,
    method: r.match.method,
    headers: headers.matcher,
    query: query.matcher,
    errors: [...path.errors, ...headers.errors, ...query.errors],
    plan,
    backendPlans: r.backends.map((b) => compileBackendFilters(b.filters, plan)),
    picker,
    timeouts: r.timeouts,
    retry: r.retry,
    noBackendStatus: r.grpc === true ? 501 : 500,
  };
}

function compileVirtualHost(v: IRVirtualHost): CompiledVirtualHost {
  const routes = v.routes.map(compileRoute);
  return { hostname: v.hostname, routes, needsQuery: routes.some((r) => r.query.length > 0) };
}

function compileListener(l: IRHttpListener): CompiledListener {
  const vhosts = new HostTable<CompiledVirtualHost>();
  for (const v of l.virtualHosts) vhosts.add(v.hostname, compileVirtualHost(v));
  return { name: l.name, hostname: l.hostname, vhosts: vhosts.seal() };
}

function compileSocket(s: IRSocket): CompiledSocket {
  if (!Number.isInteger(s.port) || s.port < 0 || s.port > 65535) {
    throw new CompileError(`socket ${s.key}: port ${s.port} is out of range`);
  }
  const listeners = new HostTable<CompiledListener>();
  for (const l of s.httpListeners) listeners.add(l.hostname, compileListener(l));
  return { key: s.key, address: s.address, port: s.port, protocol: s.protocol, gateway: s.gateway, listeners: listeners.seal() };
}

/** Compiles a whole IR version. Throws CompileError when the IR is structurally unusable. */
export function compileIR(ir: IR): CompiledConfig {
  const sockets = new Map<string, CompiledSocket>();
  for (const s of ir.sockets) {
    if (sockets.has(s.key)) throw new CompileError(`duplicate socket key ${s.key}`);
    sockets.set(s.key, compileSocket(s));
  }
  return { version: ir.version, ir, sockets };
}
