/**
 * The `udp.*` ops (helpers §7), `udpEchoSendOnce` (§10) and the DNS probe of the UDPRoute test:
 * one datagram out, one datagram back, on a connected UDP socket.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { randomInt } from 'node:crypto';
import { StepFailure, type OpHandler } from '../types.ts';
import { pollFirstSuccess } from './converge.ts';
import { socketHost, splitHostPort, targetAddress, timeoutOf } from './util.ts';

/** Payload of udp.ExpectEchoResponse*. */
export const UDP_ECHO_PAYLOAD = 'gateway-api-conformance-udp-echo';
/** Payload of udpEchoSendOnce (weighted / multiple-routes tests), newline included. */
export const UDP_WEIGHT_PAYLOAD = 'gateway-api-conformance-udp-weight\n';

/** The UDP echo reply (echo-contract §5). */
export interface UdpEchoReply {
  request?: string;
  namespace?: string;
  ingress?: string;
  service?: string;
  pod?: string;
}

/** Sends one datagram to addr on a connected socket and resolves with the first reply. */
export function udpExchange(addr: string, payload: Buffer | string, timeoutMs: number, maxBytes: number): Promise<Buffer> {
  const { host, port } = splitHostPort(addr);
  const h = socketHost(host);
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(isIP(h) === 6 ? 'udp6' : 'udp4');
    const done = (e: Error | undefined, b?: Buffer): void => {
      clearTimeout(timer);
      sock.removeAllListeners();
      sock.on('error', () => {});
      sock.close();
      if (e) reject(e);
      else resolve(b!);
    };
    const timer = setTimeout(() => done(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('message', (msg) => done(undefined, msg.subarray(0, maxBytes)));
    sock.connect(Number(port), h, () => sock.send(payload, (e) => e && done(e)));
  });
}

/** udpEchoSendOnce (helpers §10): one exchange, returns the replying pod. */
export async function udpEchoSendOnce(addr: string, timeoutMs: number): Promise<string> {
  const reply = await udpExchange(addr, UDP_WEIGHT_PAYLOAD, timeoutMs, 4096);
  const v = JSON.parse(reply.toString('utf8')) as UdpEchoReply;
  if (!v || !v.pod) throw new Error(`UDP echo reply from ${addr} has no pod: ${reply.toString('utf8').slice(0, 200)}`);
  return v.pod;
}

/** One attempt of ExpectEchoResponseFromBackend. */
async function echoAttempt(addr: string, exp: { service?: string; namespace?: string }, timeoutMs: number): Promise<void> {
  const reply = await udpExchange(addr, UDP_ECHO_PAYLOAD, timeoutMs, 1024);
  if (!exp.service && !exp.namespace) return;
  const v = JSON.parse(reply.toString('utf8')) as UdpEchoReply;
  if (exp.service && v.service !== exp.service) throw new Error(`reply from service ${JSON.stringify(v.service ?? '')} (pod ${v.pod ?? '?'}), expected ${exp.service}`);
  if (exp.namespace && v.namespace !== exp.namespace) throw new Error(`reply from namespace ${JSON.stringify(v.namespace ?? '')}, expected ${exp.namespace}`);
}

const expectEchoResponseFromBackend: OpHandler = async (step, ctx) => {
  const addr = targetAddress(step);
  const exp = (step.expected ?? {}) as { service?: string; namespace?: string };
  const r = await pollFirstSuccess(ctx, timeoutOf(ctx, 'DefaultPollInterval'), timeoutOf(ctx, 'MaxTimeToConsistency'), () =>
    echoAttempt(addr, exp, timeoutOf(ctx, 'RequestTimeout')),
  );
  if (!r.ok) {
    const want = exp.service || exp.namespace ? ` from ${JSON.stringify(exp)}` : '';
    throw new StepFailure(`no UDP echo reply${want} via ${addr} (${r.attempts} attempts); last: ${r.reason}`, false);
  }
  return undefined;
};

/** A DNS query (RFC 1035): one question, recursion desired. */
export function dnsQuery(id: number, name: string, qtype = 1, qclass = 1): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts: Buffer[] = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63) throw new Error(`DNS label too long: ${l}`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0, qtype >> 8, qtype & 0xff, qclass >> 8, qclass & 0xff]));
  return Buffer.concat(parts);
}

/** One DNS exchange; resolves when a response with the query's id arrives. */
export async function dnsExchange(addr: string, name: string, timeoutMs: number): Promise<void> {
  const id = randomInt(0x10000);
  const reply = await udpExchange(addr, dnsQuery(id, name), timeoutMs, 65535);
  if (reply.length < 12) throw new Error(`DNS reply of ${reply.length} bytes is too short`);
  if (reply.readUInt16BE(0) !== id) throw new Error(`DNS reply id ${reply.readUInt16BE(0)} does not match query id ${id}`);
  if ((reply[2]! & 0x80) === 0) throw new Error('DNS reply is not a response (QR bit clear)');
}

/** The udp.* op handlers by op name. */
export const udpOps: Record<string, OpHandler> = {
  'udp.ExpectEchoResponseFromBackend': expectEchoResponseFromBackend,
  'udp.ExpectEchoResponse': (step, ctx) => expectEchoResponseFromBackend({ ...step, expected: {} }, ctx),
};
