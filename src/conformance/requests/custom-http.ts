/**
 * `custom` steps of the HTTP, gRPC and WebSocket tests: weighted senders, the WebSocket attempt,
 * the per-backend header check and deferred mirror waits (corpus README §10).
 */
import { StepFailure, type CustomHandler } from '../types.ts';
import { captureRoundTrip } from './http-client.ts';
import { asExpectedResponse, makeRequest, type ExpectedResponse, type RoundTripRequest } from './http-request.ts';
import { compareRoundTrip } from './compare.ts';
import { describeAnswer, describeRequest } from './http-ops.ts';
import { dialEcho, sendRpc, codeName, type GrpcExpected } from './grpc-ops.ts';
import { isDeferredCall } from './mirror.ts';
import { webSocketEcho } from './websocket.ts';
import { cloneJson, durationOf, errText, randomEntropy, timeoutOf } from './util.ts';
import { dataOf, num, optStr, str } from './custom-data.ts';

/** HTTPRouteWeight sender body: entropy, one round trip, full comparison, the echoed pod. */
export const httpWeightSend: CustomHandler = async (step, ctx) => {
  const d = dataOf(step);
  const original = asExpectedResponse(cloneJson(d.expected), 'HTTPRouteWeight');
  const copy = cloneJson(original);
  const jitter = randomEntropy();
  if (jitter !== undefined) copy.request.headers = { 'X-Jitter': String(jitter) }; // replaces, as http.AddEntropy does
  const req = makeRequest(copy, str(d, 'HTTPRouteWeight', 'gwAddr'), optStr(d, 'protocol') ?? 'HTTP', optStr(d, 'scheme') ?? 'http');
  makeRequest(original, d.gwAddr, 'HTTP', 'http'); // the comparison uses the original with its defaults filled
  const rt = await captureRoundTrip(req, timeoutOf(ctx, 'RequestTimeout'), ctx.signal);
  const bad = compareRoundTrip(req, original, rt);
  if (bad) throw new Error(`${describeRequest(req)}: ${describeAnswer(rt)}: ${bad}`);
  return rt.request.pod ?? '';
};

/** GRPCRouteWeight sender body: entropy, one Echo RPC on a fresh client, OK required, the pod. */
export const grpcWeightSend: CustomHandler = async (step, ctx) => {
  const d = dataOf(step);
  const addr = str(d, 'GRPCRouteWeight', 'gwAddr');
  const exp = cloneJson(d.expected ?? {}) as GrpcExpected;
  const jitter = randomEntropy();
  if (jitter !== undefined) {
    exp.requestMetadata ??= {};
    exp.requestMetadata.metadata = { ...(exp.requestMetadata.metadata ?? {}), 'x-jitter': String(jitter) };
  }
  const client = dialEcho(addr, exp.requestMetadata?.authority);
  try {
    const r = await sendRpc(client, exp, durationOf(ctx, d, 'timeout') ?? timeoutOf(ctx, 'MaxTimeToConsistency'));
    if (r.code !== 0) throw new Error(`gRPC Echo to ${addr}: ${codeName(r.code)}${r.details ? `: ${r.details}` : ''}`);
    return r.response?.assertions?.context?.pod ?? '';
  } finally {
    client.close();
  }
};

/** HTTPRouteBackendProtocolWebSocket attempt body: a WebSocket echo of one text and one binary message. */
export const webSocketAttempt: CustomHandler = async (step, ctx) => {
  const d = dataOf(step);
  const bin = Array.isArray(d.binaryMessage) ? d.binaryMessage : [];
  await webSocketEcho({
    url: str(d, 'HTTPRouteBackendProtocolWebSocket', 'url'),
    origin: optStr(d, 'origin'),
    protocol: optStr(d, 'protocol'),
    text: typeof d.textMessage === 'string' ? d.textMessage : '',
    binary: Uint8Array.from(bin),
    timeoutMs: timeoutOf(ctx, 'RequestTimeout'),
  });
  return true;
};

/** A `{call, deferred}` step routed here: run the saved function now (it is the last step). */
export const deferredMirrorWait: CustomHandler = async (step) => {
  const d = dataOf(step);
  if (isDeferredCall(d.call)) return d.call.wait();
  if (typeof d.call === 'function') return d.call();
  throw new Error(`harness: custom step ${JSON.stringify(step.description ?? '').slice(0, 80)} is not a deferred mirror wait`);
};

function headerModifierRequest(d: Record<string, any>): { req: RoundTripRequest; expected?: ExpectedResponse } {
  const saved = d.req ?? d.request;
  if (saved && typeof saved === 'object' && typeof saved.url === 'string') {
    const { expected, ...req } = saved as RoundTripRequest & { expected?: ExpectedResponse };
    return { req: req as RoundTripRequest, expected };
  }
  const expected = asExpectedResponse(cloneJson(d.expected), 'HTTPRouteRequestHeaderModifierBackendWeights');
  return { req: makeRequest(expected, str(d, 'HTTPRouteRequestHeaderModifierBackendWeights', 'gwAddr'), 'HTTP', 'http'), expected };
}

/**
 * HTTPRouteRequestHeaderModifierBackendWeights: N single requests; the header the per-backend
 * filter sets (`Backend`) must name the pod that answered.
 */
export const headerPerBackend: CustomHandler = async (step, ctx) => {
  const d = dataOf(step);
  const { req, expected } = headerModifierRequest(d);
  const count = num(d, 100, 'count', 'requests', 'numRequests', 'totalRequests', 'iterations', 'sampleCount');
  const header = (optStr(d, 'header', 'headerName') ?? 'Backend').toLowerCase();
  for (let i = 1; i <= count; i++) {
    let rt;
    try {
      rt = await captureRoundTrip(req, timeoutOf(ctx, 'RequestTimeout'), ctx.signal);
    } catch (e) {
      throw new StepFailure(`request ${i}/${count}: ${describeRequest(req)}: ${errText(e)}`);
    }
    const bad = expected ? compareRoundTrip(req, expected, rt) : rt.response.statusCode === 200 ? undefined : 'expected status 200';
    if (bad) throw new StepFailure(`request ${i}/${count}: ${describeRequest(req)}: ${describeAnswer(rt)}: ${bad}`);
    const seen = Object.entries(rt.request.headers ?? {}).find(([k]) => k.toLowerCase() === header)?.[1]?.join(',') ?? '';
    const pod = rt.request.pod ?? '';
    if (seen === '' || !pod.startsWith(seen)) {
      throw new StepFailure(`request ${i}/${count}: backend pod ${JSON.stringify(pod)} saw ${header} header ${JSON.stringify(seen)}; it must name the backend that answered`);
    }
  }
  return undefined;
};
