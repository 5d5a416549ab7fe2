/**
 * UDP mode of echo-basic (echo-contract §5): every datagram (up to 1024 bytes read) is answered
 * with one datagram of compact JSON naming the payload and the pod.
 */
import * as dgram from 'node:dgram';
import type { Identity } from './go-compat.ts';
import { bindUdp, closeUdp } from './listen.ts';

/** Bytes of a datagram the server reads, like upstream's read buffer. */
const READ_BUFFER = 1024;

export interface UdpEchoOptions {
  ip: string;
  port: number;
  identity: Identity;
  log(line: string): void;
}

export interface UdpEchoServer {
  port: number;
  close(): Promise<void>;
}

/** The reply to one datagram. */
export function udpEchoReply(payload: Buffer, id: Identity): Buffer {
  const request = payload.subarray(0, READ_BUFFER).toString('utf8');
  return Buffer.from(JSON.stringify({ request, namespace: id.namespace, ingress: id.ingress, service: id.service, pod: id.pod }));
}

/** Starts the UDP echo server. */
export async function startUdpEcho(opts: UdpEchoOptions): Promise<UdpEchoServer> {
  const sock = dgram.createSocket(opts.ip.includes(':') ? 'udp6' : 'udp4');
  sock.on('message', (msg, rinfo) => {
    sock.send(udpEchoReply(msg, opts.identity), rinfo.port, rinfo.address, () => {});
  });
  try {
    const port = await bindUdp(sock, opts.ip, opts.port);
    return { port, close: () => closeUdp(sock) };
  } catch (err) {
    await closeUdp(sock);
    throw err;
  }
}
