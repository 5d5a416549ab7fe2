/**
 * The WebSocket probe of HTTPRouteBackendProtocolWebSocket (helpers §9): dial, echo one text and
 * one binary message, close.
 */
import WebSocket from 'ws';

/** What one probe sends. */
export interface WebSocketProbe {
  url: string;
  origin?: string;
  protocol?: string;
  text: string;
  binary: Uint8Array;
  timeoutMs: number;
}

/** Resolves when both messages came back unchanged; rejects with the reason otherwise. */
export function webSocketEcho(p: WebSocketProbe): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(p.url, p.protocol ? [p.protocol] : [], {
      origin: p.origin || undefined,
      handshakeTimeout: p.timeoutMs,
      perMessageDeflate: false,
    });
    let stage: 'text' | 'binary' = 'text';
    const timer = setTimeout(() => finish(new Error(`no echo within ${p.timeoutMs} ms (waiting for the ${stage} message)`)), p.timeoutMs);
    const finish = (e?: Error): void => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      if (e) reject(e);
      else resolve();
    };
    ws.on('error', (e) => finish(new Error(`${p.url}: ${e.message}`)));
    ws.on('unexpected-response', (_req, res) => finish(new Error(`${p.url}: upgrade refused with status ${res.statusCode}`)));
    ws.on('close', (code) => finish(new Error(`${p.url}: closed (code ${code}) while waiting for the ${stage} echo`)));
    ws.on('open', () => ws.send(p.text));
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (stage === 'text') {
        if (buf.toString('utf8') !== p.text) return finish(new Error(`text echo mismatch: sent ${JSON.stringify(p.text)}, got ${JSON.stringify(buf.toString('utf8'))}`));
        stage = 'binary';
        ws.send(Buffer.from(p.binary), { binary: true });
        return;
      }
      if (!buf.equals(Buffer.from(p.binary))) return finish(new Error(`binary echo mismatch: sent [${[...p.binary]}], got [${[...buf]}]`));
      finish();
    });
  });
}
