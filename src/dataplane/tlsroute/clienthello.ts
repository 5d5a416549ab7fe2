/**
 * A bounded reader of the TLS ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) that extracts the
 * server_name extension (RFC 6066 §3) without terminating TLS: what SNI routing needs to choose a
 * listener and a route before the bytes are forwarded untouched (passthrough) or the handshake is
 * completed here (terminate).
 *
 * The ClientHello may span several handshake records; they are reassembled up to MAX_CLIENT_HELLO
 * bytes. Anything that is not a well-formed ClientHello is `invalid`: the caller closes the connection.
 */

/** Largest ClientHello accepted (handshake message bytes). Real ones are well under 4 KiB. */
export const MAX_CLIENT_HELLO = 16 * 1024;

const RECORD_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
const NAME_TYPE_HOST = 0;
/** A record body may be up to 2^14 bytes (plus expansion for protected records, never for a ClientHello). */
const MAX_RECORD = 16 * 1024;

/** The outcome of looking at the first bytes of a connection. */
export type HelloResult =
  /** More bytes are needed. */
  | { readonly kind: 'incomplete' }
  /** A complete ClientHello; `serverName` is lower case without a trailing dot, undefined when absent. */
  | { readonly kind: 'hello'; readonly serverName: string | undefined }
  | { readonly kind: 'invalid'; readonly reason: string };

const INCOMPLETE: HelloResult = Object.freeze({ kind: 'incomplete' });

/** Parses what has arrived so far. Pure and allocation-light; call again with more bytes when incomplete. */
export function parseClientHello(buf: Buffer): HelloResult {
  if (buf.length > 0 && buf[0] !== RECORD_HANDSHAKE) return invalid('not a TLS handshake record');
  const parts: Buffer[] = [];
  let have = 0;
  let off = 0;
  while (off + 5 <= buf.length) {
    if (buf[off] !== RECORD_HANDSHAKE) return invalid('ClientHello interrupted by a non-handshake record');
    if (buf[off + 1] !== 3) return invalid('unknown record version');
    const len = buf.readUInt16BE(off + 3);
    if (len === 0 || len > MAX_RECORD) return invalid(`bad record length ${len}`);
    if (off + 5 + len > buf.length) return INCOMPLETE;
    parts.push(buf.subarray(off + 5, off + 5 + len));
    have += len;
    off += 5 + len;
    if (have < 4) continue;
    const first = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    if (first[0] !== HANDSHAKE_CLIENT_HELLO) return invalid('first handshake message is not a ClientHello');
    const msgLen = first.readUIntBE(1, 3);
    if (msgLen > MAX_CLIENT_HELLO) return invalid(`ClientHello of ${msgLen} bytes is too large`);
    if (have >= 4 + msgLen) {
      const all = parts.length === 1 ? parts[0] : first;
      return parseBody(all.subarray(4, 4 + msgLen));
    }
  }
  return INCOMPLETE;
}

function invalid(reason: string): HelloResult {
  return { kind: 'invalid', reason };
}

/** A bounds-checked cursor: every read past `end` throws, and the caller turns that into `invalid`. */
class Cursor {
  private readonly b: Buffer;
  pos: number;
  end: number;
  constructor(b: Buffer, pos: number, end: number) {
    this.b = b;
    this.pos = pos;
    this.end = end;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError('truncated ClientHello');
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  /** A sub-cursor over the next `n` bytes; this cursor moves past them. */
  sub(n: number): Cursor {
    this.need(n);
    const c = new Cursor(this.b, this.pos, this.pos + n);
    this.pos += n;
    return c;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  get left(): number {
    return this.end - this.pos;
  }
}

function parseBody(body: Buffer): HelloResult {
  try {
    const c = new Cursor(body, 0, body.length);
    c.skip(2 + 32); // legacy_version, random
    c.skip(c.u8()); // legacy_session_id
    c.skip(c.u16()); // cipher_suites
    c.skip(c.u8()); // legacy_compression_methods
    if (c.left === 0) return { kind: 'hello', serverName: undefined }; // no extensions at all
    const exts = c.sub(c.u16());
    while (exts.left > 0) {
      const type = exts.u16();
      const data = exts.sub(exts.u16());
      if (type === EXT_SERVER_NAME) return serverNameOf(data);
    }
    return { kind: 'hello', serverName: undefined };
  } catch (err) {
    return invalid((err as Error).message);
  }
}

/** The host_name entry of a server_name extension. */
function serverNameOf(data: Cursor): HelloResult {
  const list = data.sub(data.u16());
  while (list.left > 0) {
    const type = list.u8();
    const name = list.bytes(list.u16());
    if (type !== NAME_TYPE_HOST) continue;
    const host = hostName(name);
    return host === undefined ? invalid('server_name is not a DNS host name') : { kind: 'hello', serverName: host };
  }
  return { kind: 'hello', serverName: undefined };
}

/** Lower-cased ASCII host name without a trailing dot; undefined when it holds anything else. */
function hostName(name: Buffer): string | undefined {
  if (name.length === 0 || name.length > 255) return undefined;
  for (const ch of name) {
    const ok = (ch >= 0x61 && ch <= 0x7a) || (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x30 && ch <= 0x39) || ch === 0x2d || ch === 0x2e || ch === 0x5f;
    if (!ok) return undefined;
  }
  const s = name.toString('latin1').toLowerCase();
  return s.endsWith('.') ? s.slice(0, -1) : s;
}
