/**
 * The request-heavy `custom` steps, keyed by test name (corpus README §10). A handler receives the
 * step with its data substituted and picks the behaviour from what the data holds.
 */
import type { CustomHandler } from '../types.ts';
import { deferredMirrorWait, grpcWeightSend, headerPerBackend, httpWeightSend, webSocketAttempt } from './custom-http.ts';
import { tcpMultipleRoutesSampling, udpDnsProbe, udpMultipleRoutesProbe, udpWeightSend } from './custom-l4.ts';
import { percentageMirror } from './mirror-percentage.ts';
import { dataOf } from './custom-data.ts';

/** Mirror tests: the only custom step left to us is the deferred wait (the runner usually takes it). */
const mirrorTest: CustomHandler = (step, ctx) => deferredMirrorWait(step, ctx);

/** The percentage test has the distribution step and possibly deferred waits. */
const percentageMirrorTest: CustomHandler = (step, ctx) => ('perRequest' in dataOf(step) ? percentageMirror(step, ctx) : deferredMirrorWait(step, ctx));

/** Custom handlers for the request-heavy tests, by test name. */
export const requestCustomHandlers: Record<string, CustomHandler> = {
  HTTPRouteWeight: httpWeightSend,
  GRPCRouteWeight: grpcWeightSend,
  UDPRouteWeightedRouting: udpWeightSend,
  HTTPRouteBackendProtocolWebSocket: webSocketAttempt,
  HTTPRouteRequestHeaderModifierBackendWeights: headerPerBackend,
  HTTPRouteRequestMirror: mirrorTest,
  HTTPRouteRequestMultipleMirrors: mirrorTest,
  HTTPRouteRequestPercentageMirror: percentageMirrorTest,
  TCPRouteMultipleRoutesAttachment: tcpMultipleRoutesSampling,
  UDPRoute: udpDnsProbe,
  UDPRouteMultipleRoutesAttachment: udpMultipleRoutesProbe,
};
