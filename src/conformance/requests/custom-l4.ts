/**
 * `custom` steps of the TCP/UDP tests: sampling loops over single echo exchanges and the DNS
 * probe (corpus README §10).
 */
import { StepFailure, type CustomHandler } from '../types.ts';
import { pollFirstSuccess } from './converge.ts';
import { tcpEchoSendOnce } from './tcp-ops.ts';
import { dnsExchange, udpEchoSendOnce } from './udp-ops.ts';
import { durationOf, errText, timeoutOf } from './util.ts';
import { dataOf, num, optStr, str } from './custom-data.ts';

/** UDPRouteWeightedRouting sender body: one udpEchoSendOnce, returns the pod. */
export const udpWeightSend: CustomHandler = async (step, ctx) => {
  const d = dataOf(step);
  return udpEchoSendOnce(str(d, 'UDPRouteWeightedRouting', 'gwAddr'), durationOf(ctx, d, 'timeout') ?? 2000);
};

/** TCPRouteMultipleRoutesAttachment: 100 sequential echoes, all on the older route's backend. */
export const tcpMultipleRoutesSampling: CustomHandler = async (step, ctx) => {
  const d = dataOf(step);
  const addr = str(d, 'TCPRouteMultipleRoutesAttachment', 'gwAddr');
  const count = num(d, 100, 'sampleCount');
  const mustNot = optStr(d, 'podMustNotHavePrefix');
  const must = optStr(d, 'podMustHavePrefix');
  const timeout = durationOf(ctx, d, 'timeout') ?? 5000;
  for (let i = 1; i <= count; i++) {
    let pod: string;
    try {
      pod = await tcpEchoSendOnce(addr, timeout);
    } catch (e) {
      throw new StepFailure(`TCP echo request ${i}/${count} to ${addr} failed: ${errText(e)}`);
    }
    if (mustNot && pod.startsWith(mustNot)) throw new StepFailure(`TCP echo request ${i}/${count} to ${addr} reached pod ${pod} of the newer route's backend`);
    if (must && !pod.startsWith(must)) throw new StepFailure(`TCP echo request ${i}/${count} to ${addr} reached unexpected pod ${pod} (expected prefix ${must})`);
  }
  return undefined;
};

/** UDPRoute: a DNS query through the Gateway until any reply arrives (non-fatal on timeout). */
export const udpDnsProbe: CustomHandler = async (step, ctx) => {
  const d = dataOf(step);
  const addr = str(d, 'UDPRoute', 'gwAddr');
  const domain = optStr(d, 'domain') ?? 'foo.bar.com.';
  const interval = durationOf(ctx, d, 'pollInterval') ?? 1000;
  const limit = durationOf(ctx, d, 'timeout') ?? timeoutOf(ctx, 'DefaultTestTimeout');
  const r = await pollFirstSuccess(ctx, interval, limit, () => dnsExchange(addr, domain, Math.min(2000, limit)));
  if (!r.ok) throw new StepFailure(`no DNS reply for ${domain} via ${addr} within ${limit} ms (${r.attempts} attempts); last: ${r.reason}`, false);
  return undefined;
};

/**
 * UDPRouteMultipleRoutesAttachment: poll batches of UDP probes until every probe of a batch
 * reaches the older route's backend; a probe reaching the newer route's backend fails at once.
 */
export const udpMultipleRoutesProbe: CustomHandler = async (step, ctx) => {
  const d = dataOf(step);
  const test = 'UDPRouteMultipleRoutesAttachment';
  const addr = str(d, test, 'gwAddr');
  const must = str(d, test, 'podMustHavePrefix', 'expectedPodPrefix', 'olderBackendPrefix', 'olderBackend', 'expectedBackend');
  const mustNot = optStr(d, 'podMustNotHavePrefix', 'unexpectedPodPrefix', 'newerBackendPrefix', 'newerBackend', 'forbiddenBackend');
  const batch = num(d, 20, 'batchSize', 'probesPerBatch', 'sampleCount', 'probeCount', 'count');
  const probeTimeout = durationOf(ctx, d, 'probeTimeout') ?? 2000;
  const interval = durationOf(ctx, d, 'pollInterval') ?? timeoutOf(ctx, 'DefaultPollInterval');
  const limit = durationOf(ctx, d, 'timeout') ?? durationOf(ctx, d, 'pollTimeout') ?? timeoutOf(ctx, 'MaxTimeToConsistency');
  const r = await pollFirstSuccess(ctx, interval, limit, async () => {
    for (let i = 1; i <= batch; i++) {
      const pod = await udpEchoSendOnce(addr, probeTimeout);
      if (mustNot && pod.startsWith(mustNot)) throw new StepFailure(`UDP probe ${i}/${batch} to ${addr} reached pod ${pod} of the newer route's backend`);
      if (!pod.startsWith(must)) throw new Error(`UDP probe ${i}/${batch} reached pod ${pod}, expected prefix ${must}`);
    }
  });
  if (!r.ok) throw new StepFailure(`UDP probes to ${addr} never all reached ${must} within ${limit} ms (${r.attempts} batches); last: ${r.reason}`);
  return undefined;
};
