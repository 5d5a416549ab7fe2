import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Dispatcher } from 'undici';
import type { HeaderBag } from '../filters/headers.ts';
import type { ClientResponse } from '../http/client.ts';
import { H1Attempt, type H1Owner } from './h1attempt.ts';

/** What an attempt told its owner, in order. */
type Event = ['head', number] | ['end', HeaderBag] | ['error', string, boolean];

class Owner implements H1Owner {
  readonly events: Event[] = [];
  wantBody = true;
  onH1Head(_a: H1Attempt, status: number): boolean {
    this.events.push(['head', status]);
    return this.wantBody;
  }
  onH1End(_a: H1Attempt, trailers: HeaderBag): void {
    this.events.push(['end', trailers]);
  }
  onH1Error(_a: H1Attempt, err: Error, neverProcessed: boolean): void {
    this.events.push(['error', err.message, neverProcessed]);
  }
}

/** A controller double recording pause/resume/abort. */
class Controller implements Dispatcher.DispatchController {
  calls: string[] = [];
  abortedWith: Error | null = null;
  get aborted(): boolean {
    return this.abortedWith !== null;
  }
  get paused(): boolean {
    return this.calls.at(-1) === 'pause';
  }
  get reason(): Error | null {
    return this.abortedWith;
  }
  abort(reason: Error): void {
    this.abortedWith = reason;
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
}

/** A client response that accepts `room` bytes, then reports backpressure until release() drains it. */
class SlowResponse extends Writable {
  received: Buffer[] = [];
  private pending: (() => void) | undefined;
  constructor(room: number) {
    super({ highWaterMark: room });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.received.push(chunk);
    this.pending = cb;
  }
  release(): void {
    const cb = this.pending;
    this.pending = undefined;
    cb?.();
  }
}

function socketError(bytesRead: number): Error {
  return Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', socket: { bytesRead } });
}

function attempt(owner: Owner, res = new SlowResponse(1 << 20)): [H1Attempt, Controller, SlowResponse] {
  const a = new H1Attempt(owner, res as unknown as ClientResponse);
  const c = new Controller();
  a.onRequestStart(c);
  return [a, c, res];
}

describe('H1Attempt (undici dispatch handler)', () => {
  it('streams head, body and trailers to the owner and the client', () => {
    const owner = new Owner();
    const [a, c, res] = attempt(owner);
    a.onResponseStart(c, 103, {}); // interim answers are not relayed
    a.onResponseStart(c, 200, { 'content-type': 'text/plain' });
    a.onResponseData(c, Buffer.from('hello'));
    a.onResponseEnd(c, { 'x-sum': '1' });
    assert.deepEqual(owner.events, [['head', 200], ['end', { 'x-sum': '1' }]]);
    assert.equal(Buffer.concat(res.received).toString(), 'hello');
    assert.deepEqual(c.calls, []);
  });

  it('pauses the upstream when the client cannot keep up and resumes on drain', () => {
    const owner = new Owner();
    const [a, c, res] = attempt(owner, new SlowResponse(4));
    a.onResponseStart(c, 200, {});
    a.onResponseData(c, Buffer.from('12345678'));
    assert.deepEqual(c.calls, ['pause']);
    res.release(); // the client consumed it: 'drain'
    assert.deepEqual(c.calls, ['pause', 'resume']);
  });

  it('drains a body the owner does not want and reports nothing more', () => {
    const owner = new Owner();
    owner.wantBody = false;
    const [a, c, res] = attempt(owner);
    a.onResponseStart(c, 500, {});
    a.onResponseData(c, Buffer.from('x'));
    a.onResponseEnd(c, {});
    a.onResponseError(c, new Error('late'));
    assert.deepEqual(owner.events, [['head', 500]]);
    assert.equal(res.received.length, 0);
    assert.equal(c.aborted, false, 'a drained connection goes back to the pool');
  });

  it('marks a reused connection closing before any answer as never processed', () => {
    for (const [err, expected] of [[socketError(120), true], [socketError(0), false], [new Error('refused'), false]] as const) {
      const owner = new Owner();
      const [a, c] = attempt(owner);
      a.onResponseError(c, err);
      assert.deepEqual(owner.events, [['error', err.message, expected]]);
    }
    const owner = new Owner();
    const [a, c] = attempt(owner);
    a.onResponseStart(c, 200, {});
    a.onResponseError(c, socketError(120));
    assert.deepEqual(owner.events[1], ['error', 'other side closed', false], 'after the head it is a mid-response failure');
  });

  it('destroy(reason) aborts the connection and reports once; plain destroy() is silent', () => {
    const owner = new Owner();
    const [a, c] = attempt(owner);
    const timeout = new Error('backend request timed out');
    a.destroy(timeout);
    a.onResponseError(c, timeout); // undici echoes the abort
    assert.equal(c.abortedWith, timeout);
    assert.deepEqual(owner.events, [['error', timeout.message, false]]);

    const quiet = new Owner();
    const [b, d] = attempt(quiet);
    b.destroy();
    b.onResponseError(d, new Error('aborted'));
    assert.ok(d.aborted);
    assert.deepEqual(quiet.events, []);
  });

  it('aborts a request abandoned while still queued as soon as undici starts it', () => {
    const owner = new Owner();
    const a = new H1Attempt(owner, new SlowResponse(16) as unknown as ClientResponse);
    a.destroy();
    const c = new Controller();
    a.onRequestStart(c);
    assert.ok(c.aborted);
    a.onResponseStart(c, 200, {});
    assert.deepEqual(owner.events, []);
  });
});
