/**
 * The CoreDNS stand-in behind the basic UDPRoute test (echo-contract §5): zones whose Corefile
 * server block holds the `whoami` plugin are answered like CoreDNS's whoami (the client's address
 * as an A/AAAA record, its port and transport as an SRV record in the additional section). Other
 * zones would be forwarded upstream by CoreDNS; traffic must stay on loopback here, so they get
 * SERVFAIL. Over UDP only, which is what the suite uses.
 */
import * as dgram from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { bindUdp, closeUdp } from './listen.ts';

/** One Corefile server block: zone (lower-case, with trailing dot), port and plugin names. */
export interface DnsZone {
  zone: string;
  port: number;
  plugins: string[];
}

const TYPE_A = 1;
const TYPE_SRV = 33;
const TYPE_AAAA = 28;
const CLASS_IN = 1;
/** DNS response codes used here. */
export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2 } as const;

/** Parses the server blocks of a Corefile (`zone[:port] { plugin ... }`); nested blocks are skipped. */
export function parseCorefile(text: string): DnsZone[] {
  const zones: DnsZone[] = [];
  const src = text.replace(/#.*$/gm, '');
  const re = /([^\s{}]+)\s*\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g;
  for (const m of src.matchAll(re)) {
    const plugins = m[2]
      .replace(/\{[^{}]*\}/g, '')
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0])
      .filter(Boolean);
    for (const key of m[1].split(',')) {
      const km = /^(?:dns:\/\/)?([^:]*)(?::(\d+))?$/.exec(key.trim());
      if (!km) continue;
      let zone = km[1].toLowerCase() || '.';
      if (!zone.endsWith('.')) zone += '.';
      zones.push({ zone, port: km[2] ? Number(km[2]) : 53, plugins });
    }
  }
  return zones;
}

interface Question {
  id: number;
  flags: number;
  name: string;
  type: number;
  cls: number;
  /** The question section's bytes (name, type, class). */
  raw: Buffer;
}

/** Parses the header and the first question; undefined when the message is too broken to answer. */
function parseQuery(msg: Buffer): Question | 'formerr' | undefined {
  if (msg.length < 12) return undefined;
  if (msg.readUInt16BE(4) < 1) return 'formerr';
  const labels: string[] = [];
  let i = 12;
  for (;;) {
    if (i >= msg.length) return 'formerr';
    const len = msg[i];
    if (len === 0) break;
    if (len > 63 || i + 1 + len > msg.length) return 'formerr'; // compression pointers never start a query name
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
  if (i + 5 > msg.length) return 'formerr';
  const raw = msg.subarray(12, i + 5);
  return { id: msg.readUInt16BE(0), flags: msg.readUInt16BE(2), name: labels.join('.').toLowerCase() + '.', type: msg.readUInt16BE(i + 1), cls: msg.readUInt16BE(i + 3), raw };
}

function header(id: number, queryFlags: number, rcode: number, aa: boolean, counts: [number, number, number, number]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  // QR=1, opcode and RD copied from the query, AA when authoritative.
  h.writeUInt16BE(0x8000 | (queryFlags & 0x7900) | (aa ? 0x0400 : 0) | rcode, 2);
  counts.forEach((c, k) => h.writeUInt16BE(c, 4 + 2 * k));
  return h;
}

function rr(name: Buffer, type: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(0, 4); // TTL 0, like whoami
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([name, fixed, rdata]);
}

const POINTER_TO_QNAME = Buffer.from([0xc0, 0x0c]);

/** The whoami answer for a client address. */
function whoami(q: Question, clientIp: string, clientPort: number, transport: 'udp' | 'tcp'): Buffer {
  const v4 = isIPv4(clientIp);
  const ipBytes = v4 ? Buffer.from(clientIp.split('.').map(Number)) : ipv6Bytes(clientIp);
  const answer = rr(POINTER_TO_QNAME, v4 ? TYPE_A : TYPE_AAAA, ipBytes);
  const srvData = Buffer.concat([Buffer.from([0, 0, 0, 0, clientPort >> 8, clientPort & 0xff]), POINTER_TO_QNAME]);
  const srvName = Buffer.concat([Buffer.from([transport.length + 1, 0x5f]), Buffer.from(transport), POINTER_TO_QNAME]);
  const extra = rr(srvName, TYPE_SRV, srvData);
  return Buffer.concat([header(q.id, q.flags, Rcode.NOERROR, true, [1, 1, 0, 1]), q.raw, answer, extra]);
}

function ipv6Bytes(ip: string): Buffer {
  if (!isIPv6(ip)) return Buffer.alloc(16);
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.slice(0, 8).forEach((g, k) => out.writeUInt16BE(parseInt(g, 16) || 0, 2 * k));
  return out;
}

/** The zone that serves a name: the longest zone suffix among the blocks of this port. */
function zoneFor(name: string, zones: DnsZone[]): DnsZone | undefined {
  let best: DnsZone | undefined;
  for (const z of zones) if ((z.zone === '.' || name === z.zone || name.endsWith('.' + z.zone)) && (!best || z.zone.length > best.zone.length)) best = z;
  return best;
}

/** Answers one query message (undefined = drop it). */
export function answerDns(msg: Buffer, zones: DnsZone[], clientIp: string, clientPort: number): Buffer | undefined {
  const q = parseQuery(msg);
  if (q === undefined) return undefined;
  if (q === 'formerr') return header(msg.readUInt16BE(0), msg.readUInt16BE(2), Rcode.FORMERR, false, [0, 0, 0, 0]);
  const zone = zoneFor(q.name, zones);
  if (zone?.plugins.includes('whoami') && q.cls === CLASS_IN) return whoami(q, clientIp, clientPort, 'udp');
  return Buffer.concat([header(q.id, q.flags, Rcode.SERVFAIL, false, [1, 0, 0, 0]), q.raw]);
}

export interface DnsServerOptions {
  ip: string;
  zones: DnsZone[];
  /** Overrides the zones' ports (tests bind port 0). */
  port?: number;
  log(line: string): void;
}

export interface DnsServer {
  ports: number[];
  close(): Promise<void>;
}

/** Starts one UDP listener per distinct port of the zones. */
export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const ports = opts.port !== undefined ? [opts.port] : [...new Set(opts.zones.map((z) => z.port))];
  const socks: dgram.Socket[] = [];
  try {
    const bound: number[] = [];
    for (const port of ports) {
      const zones = opts.port !== undefined ? opts.zones : opts.zones.filter((z) => z.port === port);
      const sock = dgram.createSocket(opts.ip.includes(':') ? 'udp6' : 'udp4');
      socks.push(sock);
      sock.on('message', (msg, rinfo) => {
        const reply = answerDns(msg, zones, rinfo.address, rinfo.port);
        opts.log(`[INFO] ${rinfo.address}:${rinfo.port} - query of ${msg.length} bytes, ${reply ? `answered with ${reply.length} bytes` : 'dropped'}`);
        if (reply) sock.send(reply, rinfo.port, rinfo.address, () => {});
      });
      bound.push(await bindUdp(sock, opts.ip, port));
    }
    return { ports: bound, close: async () => void (await Promise.all(socks.map(closeUdp))) };
  } catch (err) {
    await Promise.all(socks.map(closeUdp));
    throw err;
  }
}
