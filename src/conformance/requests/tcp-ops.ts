/**
 * The `tcp.*` ops (helpers §6) against the TCP echo (echo-contract §4): welcome line, PING,
 * IS_TLS and TEST commands over plain TCP or TLS.
 */
import { goCheckServerIdentity } from './go-verify.ts';
import net from 'node:net';
import tls from 'node:tls';
import { StepFailure, type OpHandler, type RunContext, type Step } from '../types.ts';
import { pollFirstSuccess } from './converge.ts';
import { durationOf, sniName, socketHost, splitHostPort, targetAddress, timeoutOf } from './util.ts';

/** The first line every TCP echo connection starts with. */
export const TCP_WELCOME = 'Gateway API Test TCP Server\n';

/** The TEST reply of the TCP echo. */
export interface TcpTestReply {
  namespace?: string;
  pod?: string;
  service?: string;
  isTLS?: boolean;
  tls?: { version?: string; serverName?: string; negotiatedProtocol?: string };
}

/** Options of one TCP connection. */
export interface TcpDialOptions {
  useTLS?: boolean;
  serverName?: string;
  caPem?: string;
  /** Deadline for the whole exchange. */
  timeoutMs: number;
}

/** A connected socket with line reads, all bounded by one deadline. */
export class LineConn {
  private buf = '';
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly socket: net.Socket;
  private readonly timer: NodeJS.Timeout;

  private constructor(socket: net.Socket, timeoutMs: number) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      this.wake();
    });
    const fail = (e: Error): void => {
      this.failure ??= e;
      this.wake();
    };
    socket.on('error', fail);
    socket.on('end', () => fail(new Error('EOF')));
    socket.on('close', () => fail(new Error('connection closed')));
    this.timer = setTimeout(() => {
      fail(new Error(`deadline of ${timeoutMs} ms exceeded`));
      socket.destroy();
    }, timeoutMs);
  }

  /** Dials addr (plain or TLS) and resolves once connected / the handshake is done. */
  static dial(addr: string, o: TcpDialOptions): Promise<LineConn> {
    const { host, port } = splitHostPort(addr);
    return new Promise((resolve, reject) => {
      const base = { host: socketHost(host), port: Number(port) };
      const socket: net.Socket = o.useTLS
        ? tls.connect({
            ...base,
            servername: sniName(o.serverName),
            minVersion: 'TLSv1.2',
            ca: o.caPem || undefined,
            checkServerIdentity: (h, cert) => goCheckServerIdentity(o.serverName || h, cert),
          })
        : net.connect(base);
      const conn = new LineConn(socket, o.timeoutMs);
      socket.once(o.useTLS ? 'secureConnect' : 'connect', () => resolve(conn));
      socket.once('error', (e) => {
        conn.close();
        reject(e);
      });
      socket.once('close', () => reject(new Error('connection closed before it was established')));
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** One line including its '\n'. */
  async readLine(): Promise<string> {
    for (;;) {
      const i = this.buf.indexOf('\n');
      if (i >= 0) {
        const line = this.buf.slice(0, i + 1);
        this.buf = this.buf.slice(i + 1);
        return line;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  /** Sends a command line. */
  write(s: string): void {
    this.socket.write(s);
  }

  /** The TLS peer's data, for TLS connections. */
  get tlsSocket(): tls.TLSSocket | undefined {
    return this.socket instanceof tls.TLSSocket ? this.socket : undefined;
  }

  close(): void {
    clearTimeout(this.timer);
    this.socket.destroy();
  }
}

/** `tcp.EchoSendOnce`: welcome line, TEST, decode; returns the pod (errors for anything else). */
export async function tcpEchoSendOnce(addr: string, timeoutMs: number): Promise<string> {
  const c = await LineConn.dial(addr, { timeoutMs });
  try {
    const welcome = await c.readLine();
    if (welcome !== TCP_WELCOME) throw new Error(`unexpected welcome line ${JSON.stringify(welcome)} from ${addr}`);
    c.write('TEST\n');
    const reply = JSON.parse(await c.readLine()) as TcpTestReply;
    if (!reply.pod) throw new Error(`TEST reply from ${addr} has no pod`);
    return reply.pod;
  } finally {
    c.close();
  }
}

interface FullExchange {
  welcome: string;
  pong: string;
  isTls: string;
  test: TcpTestReply;
}

async function fullExchange(addr: string, o: TcpDialOptions): Promise<FullExchange> {
  const c = await LineConn.dial(addr, o);
  try {
    const welcome = await c.readLine();
    c.write('PING\n');
    const pong = await c.readLine();
    c.write('IS_TLS\n');
    const isTls = await c.readLine();
    c.write('TEST\n');
    const test = JSON.parse(await c.readLine()) as TcpTestReply;
    return { welcome, pong, isTls, test };
  } finally {
    c.close();
  }
}

/** Checks a completed exchange; every mismatch is listed. */
export function checkTcpExchange(x: FullExchange, exp: Record<string, any>): string[] {
  const bad: string[] = [];
  if (x.welcome !== TCP_WELCOME) bad.push(`welcome line ${JSON.stringify(x.welcome)}`);
  if (x.pong !== 'PONG\n') bad.push(`PING answered ${JSON.stringify(x.pong)}`);
  if (x.isTls.trim() !== String(exp.backendIsTLS === true)) bad.push(`IS_TLS answered ${JSON.stringify(x.isTls.trim())}, expected ${exp.backendIsTLS === true}`);
  if ((x.test.namespace ?? '') !== (exp.namespace ?? '')) bad.push(`namespace ${JSON.stringify(x.test.namespace ?? '')}, expected ${JSON.stringify(exp.namespace ?? '')}`);
  if (!(x.test.pod ?? '').startsWith(`${exp.backend ?? ''}-`)) bad.push(`pod ${JSON.stringify(x.test.pod ?? '')} is not a pod of ${exp.backend}`);
  if (exp.hostname && x.test.tls?.serverName !== exp.hostname) bad.push(`backend saw SNI ${JSON.stringify(x.test.tls?.serverName ?? '')}, expected ${JSON.stringify(exp.hostname)}`);
  if (exp.tlsProtocol && x.test.tls?.negotiatedProtocol !== exp.tlsProtocol) {
    bad.push(`backend negotiated ALPN ${JSON.stringify(x.test.tls?.negotiatedProtocol ?? '')}, expected ${JSON.stringify(exp.tlsProtocol)}`);
  }
  return bad;
}

function pollArgs(ctx: RunContext): [number, number] {
  return [timeoutOf(ctx, 'DefaultPollInterval'), timeoutOf(ctx, 'MaxTimeToConsistency')];
}

const makeTCPRequestAndExpectEventuallyValidResponse: OpHandler = async (step, ctx) => {
  const addr = targetAddress(step);
  const o: TcpDialOptions = {
    useTLS: step.useTLS === true,
    serverName: typeof step.serverName === 'string' ? step.serverName : '',
    caPem: typeof step.serverCertificate === 'string' ? step.serverCertificate : undefined,
    timeoutMs: timeoutOf(ctx, 'RequestTimeout'),
  };
  const what = `${o.useTLS ? 'TLS' : 'TCP'} echo exchange with ${addr}${o.useTLS ? ` (SNI ${JSON.stringify(o.serverName)})` : ''}`;
  const r = await pollFirstSuccess(ctx, ...pollArgs(ctx), () => fullExchange(addr, o));
  if (!r.ok) throw new StepFailure(`${what}: never completed (${r.attempts} attempts); last error: ${r.reason}`, false);
  const bad = checkTcpExchange(r.value, step.expected ?? {});
  if (bad.length > 0) throw new StepFailure(`${what}: ${bad.join('; ')}`, false);
  return undefined;
};

const echoSendOnce: OpHandler = async (step, ctx) => {
  const timeout = durationOf(ctx, step, 'timeout') ?? timeoutOf(ctx, 'RequestTimeout');
  try {
    return await tcpEchoSendOnce(targetAddress(step), timeout);
  } catch (e) {
    throw new StepFailure(`tcp.EchoSendOnce to ${step.gwAddr}: ${(e as Error).message}`);
  }
};

function addressOf(step: Step): string {
  return targetAddress(step, 'address');
}

const expectEchoResponse: OpHandler = async (step, ctx) => {
  const addr = addressOf(step);
  const r = await pollFirstSuccess(ctx, ...pollArgs(ctx), () => tcpEchoSendOnce(addr, timeoutOf(ctx, 'RequestTimeout')));
  if (!r.ok) throw new StepFailure(`no TCP echo from ${addr} within the limit (${r.attempts} attempts); last error: ${r.reason}`);
  return undefined;
};

function connectOnce(addr: string, timeoutMs: number): Promise<void> {
  const { host, port } = splitHostPort(addr);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: socketHost(host), port: Number(port), timeout: timeoutMs });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('timeout', () => {
      s.destroy();
      reject(new Error('connect timed out'));
    });
    s.once('error', reject);
  });
}

const expectAddressBeAvailable: OpHandler = async (step, ctx) => {
  const addr = addressOf(step);
  const r = await pollFirstSuccess(ctx, ...pollArgs(ctx), () => connectOnce(addr, timeoutOf(ctx, 'RequestTimeout')));
  if (!r.ok) throw new StepFailure(`nothing accepted TCP connections on ${addr} (${r.attempts} attempts); last error: ${r.reason}`);
  return undefined;
};

/** The tcp.* op handlers by op name. */
export const tcpOps: Record<string, OpHandler> = {
  'tcp.MakeTCPRequestAndExpectEventuallyValidResponse': makeTCPRequestAndExpectEventuallyValidResponse,
  'tcp.EchoSendOnce': echoSendOnce,
  'tcp.ExpectEchoResponse': expectEchoResponse,
  'tcp.ExpectAddressBeAvailable': expectAddressBeAvailable,
};
