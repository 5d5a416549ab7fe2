import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkedFramer, MALFORMED, MORE } from './chunked.ts';

/** Feeds `pieces` in turn; returns the end offset (in the concatenation) or MORE / MALFORMED. */
function feedAll(pieces: Buffer[]): number {
  const f = new ChunkedFramer();
  let base = 0;
  for (const p of pieces) {
    const r = f.feed(p, 0, p.length);
    if (r === MALFORMED) return MALFORMED;
    if (r >= 0) return base + r;
    base += p.length;
  }
  return MORE;
}

/** A chunked body with the given chunk sizes, extensions and trailers. */
function body(sizes: number[], ext: boolean, trailers: string[]): string {
  let s = '';
  for (const n of sizes) s += `${n.toString(16)}${ext ? ';a=b' : ''}\r\n${'x'.repeat(n)}\r\n`;
  return `${s}0\r\n${trailers.map((t) => `${t}\r\n`).join('')}\r\n`;
}

test('finds the end of a chunked body, trailers included, and leaves what follows', () => {
  const b = body([3, 16], true, ['x-t: 1']);
  assert.equal(feedAll([Buffer.from(b + 'GET / HTTP/1.1\r\n')]), b.length);
  assert.equal(feedAll([Buffer.from(b.slice(0, 10))]), MORE);
});

test('malformed framing is refused', () => {
  for (const bad of ['x\r\n', '3\r\nabcd\r\n', '3\r\nabc\n', '\r\n', '3\nabc\r\n', `${'f'.repeat(13)}\r\n`, '0\r\nx-t: 1\n\r\n', '3 ;\x01\r\n']) {
    assert.equal(feedAll([Buffer.from(bad + '0\r\n\r\n')]), MALFORMED, JSON.stringify(bad));
  }
});

test('property: any split of a chunked body ends at the same offset', () => {
  const arb = fc.record({
    sizes: fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 6 }),
    ext: fc.boolean(),
    trailers: fc.array(fc.constantFrom('x-a: 1', 'x-checksum: abc'), { maxLength: 2 }),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
  });
  fc.assert(fc.property(arb, ({ sizes, ext, trailers, cuts }) => {
    const whole = Buffer.from(body(sizes, ext, trailers) + 'NEXT');
    const points = [...new Set(cuts.map((c) => c % whole.length))].sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    let at = 0;
    for (const p of points) {
      pieces.push(whole.subarray(at, p));
      at = p;
    }
    pieces.push(whole.subarray(at));
    assert.equal(feedAll(pieces), whole.length - 4);
  }));
});
