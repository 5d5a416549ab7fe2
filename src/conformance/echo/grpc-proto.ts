/**
 * The messages of the conformance gRPC echo service (echo-contract §3), encoded and decoded by hand:
 * they are a handful of strings and nested messages, so a tiny protobuf writer/reader is simpler
 * (and exact) compared with loading a schema.
 *
 * Package `gateway_api_conformance.echo_basic.grpcecho`, service `GrpcEcho`.
 */

/** The fully-qualified service name. */
export const GRPC_ECHO_SERVICE = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';

export interface EchoHeader {
  key: string;
  value: string;
}
export interface EchoContext {
  namespace: string;
  ingress: string;
  serviceName: string;
  pod: string;
}
export interface TlsAssertions {
  version: string;
  negotiatedProtocol: string;
  serverName: string;
  cipherSuite: string;
  peerCertificates: string[];
}
export interface Assertions {
  fullyQualifiedMethod: string;
  headers: EchoHeader[];
  authority: string;
  context?: EchoContext;
  tlsAssertions?: TlsAssertions;
}
/** EchoResponse { Assertions assertions = 1; EchoRequest request = 2; } */
export interface EchoResponse {
  assertions?: Assertions;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited field (wire type 2). */
function field(num: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([...varint((num << 3) | 2), ...varint(payload.length)]), payload]);
}

/** A proto3 string field: omitted when empty. */
function str(num: number, s: string): Buffer {
  return s ? field(num, Buffer.from(s, 'utf8')) : Buffer.alloc(0);
}

function encodeContext(c: EchoContext): Buffer {
  return Buffer.concat([str(1, c.namespace), str(2, c.ingress), str(3, c.serviceName), str(4, c.pod)]);
}

function encodeTls(t: TlsAssertions): Buffer {
  return Buffer.concat([str(1, t.version), str(2, t.negotiatedProtocol), str(3, t.serverName), str(4, t.cipherSuite), ...t.peerCertificates.map((p) => field(5, Buffer.from(p)))]);
}

/** Serializes an EchoResponse. */
export function encodeEchoResponse(r: EchoResponse): Buffer {
  if (!r.assertions) return Buffer.alloc(0);
  const a = r.assertions;
  const parts = [
    str(1, a.fullyQualifiedMethod),
    ...a.headers.map((h) => field(2, Buffer.concat([str(1, h.key), str(2, h.value)]))),
    str(3, a.authority),
  ];
  if (a.context) parts.push(field(4, encodeContext(a.context)));
  if (a.tlsAssertions) parts.push(field(5, encodeTls(a.tlsAssertions)));
  return field(1, Buffer.concat(parts));
}

/** Reads the fields of a message: field number → list of raw length-delimited payloads (other wire types skipped). */
function readFields(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  const readVarint = () => {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated protobuf varint');
      const b = buf[i++];
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const tag = readVarint();
    const wire = tag & 7;
    const num = Math.floor(tag / 8);
    if (wire === 0) readVarint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = readVarint();
      if (i + len > buf.length) throw new Error('truncated protobuf field');
      const list = out.get(num) ?? [];
      list.push(buf.subarray(i, i + len));
      out.set(num, list);
      i += len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const s1 = (f: Map<number, Buffer[]>, n: number) => f.get(n)?.[0]?.toString('utf8') ?? '';

/** Parses an EchoResponse; throws on malformed input. */
export function decodeEchoResponse(buf: Buffer): EchoResponse {
  const top = readFields(buf);
  const ab = top.get(1)?.[0];
  if (!ab) return {};
  const a = readFields(ab);
  const assertions: Assertions = {
    fullyQualifiedMethod: s1(a, 1),
    headers: (a.get(2) ?? []).map((h) => {
      const hf = readFields(h);
      return { key: s1(hf, 1), value: s1(hf, 2) };
    }),
    authority: s1(a, 3),
  };
  const cb = a.get(4)?.[0];
  if (cb) {
    const c = readFields(cb);
    assertions.context = { namespace: s1(c, 1), ingress: s1(c, 2), serviceName: s1(c, 3), pod: s1(c, 4) };
  }
  const tb = a.get(5)?.[0];
  if (tb) {
    const t = readFields(tb);
    assertions.tlsAssertions = {
      version: s1(t, 1),
      negotiatedProtocol: s1(t, 2),
      serverName: s1(t, 3),
      cipherSuite: s1(t, 4),
      peerCertificates: (t.get(5) ?? []).map((b) => b.toString('utf8')),
    };
  }
  return { assertions };
}
