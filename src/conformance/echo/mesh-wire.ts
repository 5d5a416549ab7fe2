/**
 * The wire pieces the mesh echo client and server share: the gRPC method path of the echo service
 * and the two one-field messages it exchanges (EchoRequest / EchoResponse, a string `message` as
 * field 1), encoded by hand because nothing else in them exists. Kept in one place so the client
 * and the server can never disagree.
 */

/** `/package.Service/Method` of the mesh echo RPC. */
export const MESH_ECHO_PATH = '/proto.EchoTestService/Echo';

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** `{message: text}` as protobuf bytes (field 1, wire type 2); the empty string encodes as nothing. */
export function encodeMessageField(text: string): Buffer {
  if (text === '') return Buffer.alloc(0);
  const body = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), varint(body.length), body]);
}

/** Field 1 of a protobuf message as text; other fields are skipped, malformed input gives "". */
export function decodeMessageField(buf: Buffer): string {
  let i = 0;
  let found = '';
  const readVarint = (): number | undefined => {
    let n = 0;
    for (let shift = 0; i < buf.length && shift < 35; shift += 7) {
      const b = buf[i++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return n;
    }
    return undefined;
  };
  while (i < buf.length) {
    const tag = readVarint();
    if (tag === undefined) return found;
    const wire = tag & 7;
    if (wire === 0) {
      if (readVarint() === undefined) return found;
    } else if (wire === 2) {
      const len = readVarint();
      if (len === undefined || i + len > buf.length) return found;
      if (tag >>> 3 === 1) found = buf.subarray(i, i + len).toString('utf8');
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else return found;
  }
  return found;
}

/** A length-prefixed gRPC message (uncompressed). */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The first message of a gRPC body, or undefined when the body holds no complete frame. */
export function readGrpcFrame(body: Buffer): Buffer | undefined {
  if (body.length < 5) return undefined;
  const len = body.readUInt32BE(1);
  return body.length >= 5 + len ? body.subarray(5, 5 + len) : undefined;
}
