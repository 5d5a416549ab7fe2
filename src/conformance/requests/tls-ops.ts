/**
 * The `tls.*` ops (helpers §5): HTTPS requests with SNI and a pinned server certificate, the
 * expected-failure variant, and the expected handshake rejection.
 */
import tls from 'node:tls';
import { StepFailure, type OpHandler, type Step } from '../types.ts';
import { awaitConvergence, pollFirstSuccess } from './converge.ts';
import { captureRoundTrip } from './http-client.ts';
import { makeRequest, type ExpectedResponse, type RoundTripRequest } from './http-request.ts';
import { describeAnswer, describeRequest, expectedOf, roundTripAndCompare } from './http-ops.ts';
import { errText, sniName, socketHost, splitHostPort, targetAddress, timeoutOf } from './util.ts';

/** Builds the HTTPS request of a TLS op, with trust, SNI and the optional client key pair. */
function tlsRequest(step: Step): { req: RoundTripRequest; expected: ExpectedResponse; hasClientCert: boolean } {
  const expected = expectedOf(step);
  const req = makeRequest(expected, targetAddress(step), 'HTTPS', 'https');
  if (typeof step.serverCertificate !== 'string' || step.serverCertificate === '') {
    throw new StepFailure(`${step.op}: no server certificate to trust (serverCertificate is empty)`);
  }
  req.caPem = step.serverCertificate;
  req.serverName = typeof step.serverName === 'string' ? step.serverName : '';
  const cert = step.clientCertificate;
  const key = step.clientCertificateKey;
  const hasClientCert = typeof cert === 'string' && cert !== '' && typeof key === 'string' && key !== '';
  if (hasClientCert) {
    try {
      tls.createSecureContext({ cert, key }); // rejects a certificate and key that do not belong together
    } catch (e) {
      throw new StepFailure(`${step.op}: invalid client key pair: ${errText(e)}`);
    }
    req.clientCertPem = cert;
    req.clientKeyPem = key;
  }
  return { req, expected, hasClientCert };
}

/** Records whether any handshake of the run saw a CertificateRequest. */
function trackRequested(req: RoundTripRequest): () => boolean {
  let seen = false;
  req.onHandshake = (r) => (seen ||= r);
  return () => seen;
}

/** The post-run check of both request helpers: a configured client certificate must have been asked for. */
function certNotRequested(req: RoundTripRequest): never {
  throw new StepFailure(`${describeRequest(req)}: a client certificate was configured but the server never requested one`, false);
}

const makeTLSRequestAndExpectEventuallyConsistentResponse: OpHandler = async (step, ctx) => {
  const { req, expected, hasClientCert } = tlsRequest(step);
  const requested = trackRequested(req);
  await awaitConvergence(ctx, `${req.method} ${req.url} (SNI ${req.serverName})`, () => roundTripAndCompare(ctx, req, expected));
  if (hasClientCert && !requested()) certNotRequested(req);
  return undefined;
};

const makeTLSRequestAndExpectEventuallyConsistentFailureResponse: OpHandler = async (step, ctx) => {
  const { req, hasClientCert } = tlsRequest(step);
  const requested = trackRequested(req);
  await awaitConvergence(ctx, `${req.method} ${req.url} (SNI ${req.serverName}) expecting a connection failure`, async () => {
    try {
      const rt = await captureRoundTrip(req, timeoutOf(ctx, 'RequestTimeout'), ctx.signal);
      return `${describeRequest(req)}: expected a TLS/transport error, got ${describeAnswer(rt)}`;
    } catch {
      return undefined; // any error is the expected outcome
    }
  });
  if (hasClientCert && !requested()) certNotRequested(req);
  return undefined;
};

/** One TLS dial; resolves to undefined when the peer reset or closed it during the handshake. */
function dialExpectingReset(addr: string, serverName: string, timeoutMs: number): Promise<void> {
  const { host, port } = splitHostPort(addr);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: socketHost(host), port: Number(port || 443), servername: sniName(serverName), minVersion: 'TLSv1.2' });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error('the TLS handshake completed'));
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (isResetOrEof(e)) resolve();
      else reject(e);
    });
  });
}

function isResetOrEof(e: NodeJS.ErrnoException): boolean {
  if (e.code === 'ECONNRESET') return true;
  return /\bEOF\b|socket disconnected|socket hang up/i.test(e.message);
}

const makeTLSConnectionAndExpectEventuallyConnectionRejection: OpHandler = async (step, ctx) => {
  const addr = targetAddress(step);
  const serverName = typeof step.serverName === 'string' ? step.serverName : '';
  const r = await pollFirstSuccess(ctx, timeoutOf(ctx, 'DefaultPollInterval'), timeoutOf(ctx, 'MaxTimeToConsistency'), () =>
    dialExpectingReset(addr, serverName, timeoutOf(ctx, 'RequestTimeout')),
  );
  if (!r.ok) {
    throw new StepFailure(`TLS dial to ${addr} (SNI ${JSON.stringify(serverName)}) was never reset by the Gateway (${r.attempts} attempts); last: ${r.reason}`, false);
  }
  return undefined;
};

/** The tls.* op handlers by op name. */
export const tlsOps: Record<string, OpHandler> = {
  'tls.MakeTLSRequestAndExpectEventuallyConsistentResponse': makeTLSRequestAndExpectEventuallyConsistentResponse,
  'tls.MakeTLSRequestAndExpectEventuallyConsistentFailureResponse': makeTLSRequestAndExpectEventuallyConsistentFailureResponse,
  'tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection': makeTLSConnectionAndExpectEventuallyConnectionRejection,
};
