import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalisePath, removeDotSegments } from './normalize.ts';

describe('path normalisation', () => {
  it('removes dot-segments as RFC 3986 §5.2.4 does', () => {
    const cases: [string, string][] = [
      ['/a/b/c/./../../g', '/a/g'],
      ['/mid/content=5/../6', '/mid/6'],
      ['/a/./b', '/a/b'],
      ['/a/b/..', '/a/'],
      ['/a/b/.', '/a/b/'],
      ['/..', '/'],
      ['/../../x', '/x'],
      ['/a/..b/c', '/a/..b/c'],
      ['/a/.b', '/a/.b'],
      ['/a//b/../c', '/a//c'],
    ];
    for (const [input, want] of cases) assert.equal(normalisePath(input), want, input);
  });

  it('decodes unreserved escapes and upper-cases the rest, keeping %2F encoded', () => {
    assert.equal(normalisePath('/%7Euser/%61%62c'), '/~user/abc');
    assert.equal(normalisePath('/a%2fb'), '/a%2Fb');
    assert.equal(normalisePath('/a%2Fb/../c'), '/c', '%2F is data: a%2Fb is one segment');
    assert.equal(normalisePath('/sp%20ace'), '/sp%20ace');
    assert.equal(normalisePath('/x%3a'), '/x%3A');
    assert.equal(normalisePath('/bad%zz/%4'), '/bad%zz/%4', 'invalid escapes are kept as sent');
  });

  it('removes dot-segments that were percent-encoded', () => {
    assert.equal(normalisePath('/public/%2e%2E/admin'), '/admin');
    assert.equal(normalisePath('/public/%2e/x'), '/public/x');
  });

  it('returns the very same string when nothing needs doing', () => {
    const p = '/plain/path-with.dots_and~tilde';
    assert.equal(normalisePath(p), p);
    assert.equal(normalisePath('*'), '*');
  });

  it('is idempotent and never leaves a dot-segment', () => {
    const seg = fc.constantFrom('a', '.', '..', '%2e', '%2E%2e', '%41', '%2f', 'b.c', '');
    fc.assert(fc.property(fc.array(seg, { maxLength: 8 }), (segs) => {
      const once = normalisePath('/' + segs.join('/'));
      assert.equal(normalisePath(once), once);
      assert.ok(once.startsWith('/'));
      for (const s of once.split('/')) assert.ok(s !== '.' && s !== '..', `${once} has a dot-segment`);
    }));
  });

  it('removeDotSegments keeps paths without dot-segments intact', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'bc', '', '.x', 'x.'), { maxLength: 6 }), (segs) => {
      const p = '/' + segs.join('/');
      assert.equal(removeDotSegments(p), p);
    }));
  });
});
