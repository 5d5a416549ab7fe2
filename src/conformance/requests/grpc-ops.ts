/**
 * The `grpc.*` ops (helpers §4): unary Echo RPCs over plaintext HTTP/2 until the results converge,
 * and the expected-failure variant. Also the one-shot RPC the weighted gRPC test sends.
 */
import * as grpc from '@grpc/grpc-js';
import { StepFailure, type OpHandler, type RunContext, type Step } from '../types.ts';
import { fullyQualifiedMethod, grpcEcho, type EchoResponse, type GrpcEchoMethod } from '../grpc-def.ts';
import { awaitConvergence } from './converge.ts';
import { cloneJson, targetAddress, timeoutOf } from './util.ts';

/** gRPC code names in Go spelling → numbers. */
export const GRPC_CODES: Record<string, number> = {
  OK: 0, Canceled: 1, Unknown: 2, InvalidArgument: 3, DeadlineExceeded: 4, NotFound: 5, AlreadyExists: 6,
  PermissionDenied: 7, ResourceExhausted: 8, FailedPrecondition: 9, Aborted: 10, OutOfRange: 11,
  Unimplemented: 12, Internal: 13, Unavailable: 14, DataLoss: 15, Unauthenticated: 16,
};
const CODE_NAMES = Object.fromEntries(Object.entries(GRPC_CODES).map(([k, v]) => [v, k]));

/** `grpc.ExpectedResponse` as the corpus writes it. */
export interface GrpcExpected {
  echoRequest?: object;
  echoTwoRequest?: object;
  echoThreeRequest?: object;
  requestMetadata?: { authority?: string; metadata?: Record<string, string> };
  response?: { code?: string | number; headers?: unknown };
  backend?: string;
  namespace?: string;
  testCaseName?: string;
}

/** The outcome of one RPC. */
export interface RpcResult {
  code: number;
  details: string;
  response?: EchoResponse;
}

/** Code name for messages, e.g. "Unimplemented (12)". */
export function codeName(code: number): string {
  return `${CODE_NAMES[code] ?? 'Code'} (${code})`;
}

/** The method an expectation selects; exactly one of the three request keys must be set. */
export function methodOf(exp: GrpcExpected): GrpcEchoMethod {
  const set = (['echoRequest', 'echoTwoRequest', 'echoThreeRequest'] as const).filter((k) => exp[k] !== undefined && exp[k] !== null);
  if (set.length !== 1) throw new StepFailure(`gRPC expectation must set exactly one of echoRequest, echoTwoRequest, echoThreeRequest; it sets ${set.length}`);
  return set[0] === 'echoRequest' ? 'Echo' : set[0] === 'echoTwoRequest' ? 'EchoTwo' : 'EchoThree';
}

/** The expected code as a number (absent = OK). */
export function expectedCode(exp: GrpcExpected): number {
  const c = exp.response?.code;
  if (c === undefined || c === null || c === '') return 0;
  if (typeof c === 'number') return c;
  const n = GRPC_CODES[c];
  if (n === undefined) throw new Error(`harness: unknown gRPC code name ${JSON.stringify(c)}`);
  return n;
}

/** A plaintext client for gwAddr, with `:authority` overridden when asked. */
export function dialEcho(addr: string, authority?: string): grpc.Client {
  const opts: grpc.ChannelOptions = authority ? { 'grpc.default_authority': authority } : {};
  return new grpcEcho(addr, grpc.credentials.createInsecure(), opts);
}

/** One unary RPC; never rejects (transport problems come back as a status code). */
export function sendRpc(client: grpc.Client, exp: GrpcExpected, timeoutMs: number): Promise<RpcResult> {
  const method = methodOf(exp);
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(exp.requestMetadata?.metadata ?? {})) md.add(k, String(v));
  return new Promise((resolve) => {
    (client as any)[method]({}, md, { deadline: Date.now() + Math.max(1, timeoutMs) }, (err: grpc.ServiceError | null, res: EchoResponse) => {
      if (err) resolve({ code: typeof err.code === 'number' ? err.code : 2, details: err.details ?? err.message });
      else resolve({ code: 0, details: '', response: res });
    });
  });
}

/** Checks an RPC result against the expectation; undefined when it matches. */
export function compareRpc(exp: GrpcExpected, r: RpcResult): string | undefined {
  const want = expectedCode(exp);
  if (r.code !== want) return `expected ${codeName(want)}, got ${codeName(r.code)}${r.details ? `: ${r.details}` : ''}`;
  if (want !== 0) return undefined;
  const a = r.response?.assertions;
  const fq = fullyQualifiedMethod(methodOf(exp));
  if ((a?.fully_qualified_method ?? '') !== fq) return `expected method ${fq}, backend reported ${JSON.stringify(a?.fully_qualified_method ?? '')}`;
  const ns = a?.context?.namespace ?? '';
  if (exp.namespace && ns !== exp.namespace) return `expected namespace ${JSON.stringify(exp.namespace)}, backend reported ${JSON.stringify(ns)}`;
  const pod = a?.context?.pod ?? '';
  if (!pod.startsWith(exp.backend ?? '')) return `expected a pod of ${exp.backend}, response came from pod ${JSON.stringify(pod)}`;
  return undefined;
}

function describeRpc(addr: string, exp: GrpcExpected): string {
  const md = exp.requestMetadata ?? {};
  const extra = [md.authority ? `authority ${md.authority}` : '', md.metadata ? `metadata ${JSON.stringify(md.metadata)}` : ''].filter(Boolean).join(', ');
  return `gRPC ${fullyQualifiedMethod(methodOf(exp))} to ${addr}${extra ? ` (${extra})` : ''}`;
}

/**
 * The connection handling of both helpers: one channel per call, re-dialled after INTERNAL,
 * per-RPC deadline = MaxTimeToConsistency minus the time spent so far.
 */
async function converge(step: Step, ctx: RunContext, judge: (r: RpcResult, what: string) => string | undefined): Promise<void> {
  const exp = cloneJson(step.expected ?? {}) as GrpcExpected;
  const addr = targetAddress(step);
  const what = describeRpc(addr, exp);
  const limit = timeoutOf(ctx, 'MaxTimeToConsistency');
  const start = Date.now();
  let client = dialEcho(addr, exp.requestMetadata?.authority);
  try {
    await awaitConvergence(ctx, what, async () => {
      const r = await sendRpc(client, exp, limit - (Date.now() - start));
      if (r.code === GRPC_CODES.Internal) {
        client.close();
        client = dialEcho(addr, exp.requestMetadata?.authority);
      }
      const bad = judge(r, what);
      return bad === undefined ? undefined : `${what}: ${bad}`;
    });
  } finally {
    client.close();
  }
}

const makeRequestAndExpectEventuallyConsistentResponse: OpHandler = async (step, ctx) => {
  await converge(step, ctx, (r) => compareRpc(step.expected ?? {}, r));
  return undefined;
};

const makeRequestAndExpectEventuallyConsistentFailure: OpHandler = async (step, ctx) => {
  await converge(step, ctx, (r, what) => {
    if (r.code === 0) {
      const pod = r.response?.assertions?.context?.pod;
      throw new StepFailure(`${what}: expected a non-OK status, got OK${pod ? ` from pod ${pod}` : ''}`);
    }
    return undefined;
  });
  return undefined;
};

/** The grpc.* op handlers by op name. */
export const grpcOps: Record<string, OpHandler> = {
  'grpc.MakeRequestAndExpectEventuallyConsistentResponse': makeRequestAndExpectEventuallyConsistentResponse,
  'grpc.MakeRequestAndExpectEventuallyConsistentFailure': makeRequestAndExpectEventuallyConsistentFailure,
};
