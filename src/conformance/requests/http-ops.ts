/**
 * The `http.*` ops (helpers §2): eventually-consistent requests, expected failures, request
 * construction, AwaitConvergence of a function body, and the request-id helper.
 */
import { StepFailure, type OpHandler, type RunContext, type Step } from '../types.ts';
import { awaitConvergence } from './converge.ts';
import { captureRoundTrip, type RoundTripResult } from './http-client.ts';
import { asExpectedResponse, makeRequest, type ExpectedResponse, type RoundTripRequest } from './http-request.ts';
import { compareRoundTrip } from './compare.ts';
import { cloneJson, errText, ipv6SafeHost, targetAddress, timeoutOf } from './util.ts';

/** "GET http://1.2.3.4/path (Host: x)" — how a request is named in failure messages. */
export function describeRequest(req: RoundTripRequest): string {
  const hdrs = Object.entries(req.headers)
    .filter(([k]) => k !== 'X-Echo-Set-Header' || req.headers[k] !== '')
    .map(([k, v]) => `${k}: ${v}`);
  return `${req.method} ${req.url} [${req.protocol}] (Host: ${req.host}${hdrs.length ? '; ' + hdrs.join('; ') : ''})`;
}

/** "status 200 from pod x" — how an answer is named in failure messages. */
export function describeAnswer(rt: RoundTripResult): string {
  const pod = rt.request.pod ? ` from pod ${rt.request.namespace ?? ''}/${rt.request.pod}` : '';
  return `status ${rt.response.statusCode} ${rt.response.protocol}${pod}`;
}

/** One round trip compared with `expected`: undefined when it matched, else the reason. */
export async function roundTripAndCompare(
  ctx: RunContext,
  req: RoundTripRequest,
  expected: ExpectedResponse,
  observe?: (rt: RoundTripResult) => void,
): Promise<string | undefined> {
  let rt: RoundTripResult;
  try {
    rt = await captureRoundTrip(req, timeoutOf(ctx, 'RequestTimeout'), ctx.signal);
  } catch (e) {
    return `${describeRequest(req)}: ${errText(e)}`;
  }
  observe?.(rt);
  const bad = compareRoundTrip(req, expected, rt);
  return bad === undefined ? undefined : `${describeRequest(req)}: ${describeAnswer(rt)}: ${bad}`;
}

/** `http.WaitForConsistentResponse` (also the TLS variant): converge on matching round trips. */
export async function waitForConsistentResponse(ctx: RunContext, req: RoundTripRequest, expected: ExpectedResponse, required?: number): Promise<void> {
  await awaitConvergence(ctx, `${req.method} ${req.url}`, () => roundTripAndCompare(ctx, req, expected), { required });
}

/** The expectation of a step, copied (MakeRequest writes its defaults into it). */
export function expectedOf(step: Step, key = 'expected'): ExpectedResponse {
  return asExpectedResponse(cloneJson(step[key]), step.op);
}

const makeRequestAndExpectEventuallyConsistentResponse: OpHandler = async (step, ctx) => {
  const expected = expectedOf(step);
  const req = makeRequest(expected, targetAddress(step), 'HTTP', 'http');
  await waitForConsistentResponse(ctx, req, expected);
  return undefined;
};

/** Attempt of WaitForConsistentFailureResponse: a 200 is fatal at once; 408/504 and errors are failed attempts. */
async function failureAttempt(ctx: RunContext, req: RoundTripRequest): Promise<string | undefined> {
  let rt: RoundTripResult;
  try {
    rt = await captureRoundTrip(req, timeoutOf(ctx, 'RequestTimeout'), ctx.signal);
  } catch (e) {
    return `${describeRequest(req)}: ${errText(e)}`;
  }
  const s = rt.response.statusCode;
  if (s === 200) throw new StepFailure(`${describeRequest(req)}: expected a failure, got ${describeAnswer(rt)}`);
  if (s === 408 || s === 504) return `${describeRequest(req)}: ${describeAnswer(rt)} (a timeout does not count as the expected failure)`;
  return undefined;
}

const makeRequestAndExpectFailure: OpHandler = async (step, ctx) => {
  const expected = expectedOf(step);
  const req = makeRequest(expected, targetAddress(step), 'HTTP', 'http');
  await awaitConvergence(ctx, `${req.method} ${req.url} expecting failure`, () => failureAttempt(ctx, req));
  return undefined;
};

const makeRequestOp: OpHandler = async (step) => {
  const expected = expectedOf(step);
  const protocol = typeof step.protocol === 'string' && step.protocol ? step.protocol : 'HTTP';
  const scheme = typeof step.scheme === 'string' && step.scheme ? step.scheme : 'http';
  const req = makeRequest(expected, targetAddress(step), protocol, scheme);
  // The filled-in expectation travels with the request so a later step can compare against it.
  return { ...req, expected };
};

const ipv6SafeHostOp: OpHandler = async (step) => {
  if (typeof step.host !== 'string') throw new Error('harness: http.Ipv6SafeHost: host must be a string');
  return ipv6SafeHost(step.host);
};

const awaitConvergenceOp: OpHandler = async (step, ctx) => {
  if (!Array.isArray(step.fn)) throw new Error('harness: http.AwaitConvergence: fn must be a list of steps');
  const fn = step.fn;
  await awaitConvergence(ctx, 'AwaitConvergence', async () => {
    try {
      const v = await ctx.callFunction(fn);
      return v === false ? 'the attempt function returned false' : undefined;
    } catch (e) {
      // A failing step inside the body is a failed attempt, not a failed test; harness errors are not.
      if (e instanceof Error && e.message.startsWith('harness:')) throw e;
      return errText(e);
    }
  });
  return undefined;
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `http.ExpectedResponse.AddRequestIDQueryParam`: the corpus already carries the resulting paths
 * with `$requestID` in them, so the op only hands back the generated id (its `saveAs`).
 */
const addRequestIDQueryParam: OpHandler = async (step) => {
  const id = step.requestID;
  if (typeof id !== 'string' || !UUID_RE.test(id)) {
    throw new Error(`harness: AddRequestIDQueryParam: requestID must be a fresh UUID ($uuid), got ${JSON.stringify(id)}`);
  }
  return id;
};

/** The http.* op handlers by op name. */
export const httpOps: Record<string, OpHandler> = {
  'http.MakeRequestAndExpectEventuallyConsistentResponse': makeRequestAndExpectEventuallyConsistentResponse,
  'http.MakeRequestAndExpectFailure': makeRequestAndExpectFailure,
  'http.MakeRequest': makeRequestOp,
  'http.Ipv6SafeHost': ipv6SafeHostOp,
  'http.AwaitConvergence': awaitConvergenceOp,
  'http.ExpectedResponse.AddRequestIDQueryParam': addRequestIDQueryParam,
};
