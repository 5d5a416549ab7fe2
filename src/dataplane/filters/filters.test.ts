import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addActualHeaders, compileCors, isPreflight, originAllowed, preflightHeaders } from './cors.ts';
import { applyHeaderModifier, compileHeaderModifier, type HeaderBag } from './headers.ts';
import { modifyPath, replacePrefix } from './path.ts';
import { redirectLocation, type RedirectInput } from './redirect.ts';

describe('path replacement', () => {
  it('handles the slash edge cases of ReplacePrefixMatch', () => {
    assert.equal(replacePrefix('/foo/bar', '/foo', '/'), '/bar');
    assert.equal(replacePrefix('/foo', '/foo', '/'), '/');
    assert.equal(replacePrefix('/foo/', '/foo', '/'), '/');
    assert.equal(replacePrefix('/foo/bar', '/foo', '/xyz'), '/xyz/bar');
    assert.equal(replacePrefix('/foo', '/foo', '/xyz'), '/xyz');
    assert.equal(replacePrefix('/foo/bar', '/foo/', '/xyz/'), '/xyz/bar');
    assert.equal(replacePrefix('/foo/bar', '/', '/xyz'), '/xyz/foo/bar');
    assert.equal(replacePrefix('/foobar', '/foo', '/x'), '/foobar', 'not on a segment boundary: unchanged');
    assert.equal(replacePrefix('/prefix/one/two', '/prefix/one', '/one'), '/one/two');
  });
  it('replaces the full path', () => {
    assert.equal(modifyPath('/a/b?x', { type: 'ReplaceFullPath', value: '/one' }), '/one');
  });
});

describe('redirect Location', () => {
  const req: RedirectInput = { scheme: 'http', host: 'example.com', listenerPort: 8080, path: '/p', search: '?q=1' };
  it('keeps the listener port when nothing changes the scheme or port', () => {
    assert.equal(redirectLocation({ statusCode: 302, hostname: 'other.org' }, req), 'http://other.org:8080/p?q=1');
    assert.equal(redirectLocation({ statusCode: 302 }, { ...req, listenerPort: 80 }), 'http://example.com/p?q=1');
  });
  it('uses the well-known port of a new scheme and omits it', () => {
    assert.equal(redirectLocation({ statusCode: 301, scheme: 'https' }, req), 'https://example.com/p?q=1');
    assert.equal(redirectLocation({ statusCode: 301, scheme: 'http' }, req), 'http://example.com/p?q=1');
  });
  it('honours an explicit port, omitting it only when it is the default for the scheme', () => {
    assert.equal(redirectLocation({ statusCode: 302, port: 8083 }, req), 'http://example.com:8083/p?q=1');
    assert.equal(redirectLocation({ statusCode: 302, port: 443, scheme: 'https' }, req), 'https://example.com/p?q=1');
    assert.equal(redirectLocation({ statusCode: 302, port: 443 }, req), 'http://example.com:443/p?q=1');
  });
  it('rewrites the path', () => {
    const r = redirectLocation({ statusCode: 302, path: { type: 'ReplacePrefixMatch', value: '/new', prefix: '/p' } }, { ...req, path: '/p/x' });
    assert.equal(r, 'http://example.com:8080/new/x?q=1');
  });
});

describe('header modifiers', () => {
  it('sets, adds and removes case-insensitively', () => {
    const m = compileHeaderModifier({ set: [['X-Set', 'new']], add: [['X-Add', 'b'], ['X-New', 'n']], remove: ['x-gone'] });
    const h: HeaderBag = { 'x-set': 'old', 'x-add': 'a', 'x-gone': '1', 'set-cookie': ['c=1'] };
    applyHeaderModifier(h, m);
    assert.deepEqual(h, { 'x-set': 'new', 'x-add': 'a,b', 'x-new': 'n', 'set-cookie': ['c=1'] });
    applyHeaderModifier(h, compileHeaderModifier({ set: [], add: [['Set-Cookie', 'd=2']], remove: [] }));
    assert.deepEqual(h['set-cookie'], ['c=1', 'd=2']);
  });
});

describe('CORS', () => {
  const c = compileCors({
    allowOrigins: ['https://www.foo.com', 'https://*.bar.com', 'http://local:8080'],
    allowCredentials: true, allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['x-header-1', 'x-header-2'],
    exposeHeaders: ['x-header-3'], maxAge: 3600,
  });
  it('matches exact, wildcard (any depth) and ported origins', () => {
    assert.ok(originAllowed(c, 'https://www.foo.com'));
    assert.ok(originAllowed(c, 'https://www.foo.com:443'));
    assert.ok(originAllowed(c, 'https://a.b.bar.com'));
    assert.ok(originAllowed(c, 'http://local:8080'));
    assert.ok(!originAllowed(c, 'https://bar.com'));
    assert.ok(!originAllowed(c, 'http://www.foo.com'));
    assert.ok(!originAllowed(c, 'http://local'));
    assert.ok(!originAllowed(c, 'garbage'));
  });
  it('answers preflights with the configured values', () => {
    const req: HeaderBag = { origin: 'https://x.bar.com', 'access-control-request-method': 'GET' };
    assert.ok(isPreflight('OPTIONS', req));
    assert.ok(!isPreflight('GET', req));
    const h = preflightHeaders(c, 'https://x.bar.com', req);
    assert.equal(h['access-control-allow-origin'], 'https://x.bar.com');
    assert.equal(h['access-control-allow-methods'], 'GET, OPTIONS');
    assert.equal(h['access-control-allow-headers'], 'x-header-1, x-header-2');
    assert.equal(h['access-control-expose-headers'], 'x-header-3');
    assert.equal(h['access-control-max-age'], '3600');
    assert.equal(h['access-control-allow-credentials'], 'true');
  });
  it('never answers "*" when credentials are allowed', () => {
    const w = compileCors({ allowOrigins: ['*'], allowCredentials: true, allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: ['*'], maxAge: 0 });
    const h = preflightHeaders(w, 'https://z.org', { 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'x-y' });
    assert.equal(h['access-control-allow-origin'], 'https://z.org');
    assert.equal(h['access-control-allow-methods'], 'PATCH');
    assert.equal(h['access-control-allow-headers'], 'x-y');
    assert.equal(h['access-control-expose-headers'], undefined);
    assert.equal(h['access-control-max-age'], undefined);
    const actual: HeaderBag = { vary: 'Accept' };
    addActualHeaders(w, 'https://z.org', actual);
    assert.equal(actual['vary'], 'Accept, Origin');
  });
});
