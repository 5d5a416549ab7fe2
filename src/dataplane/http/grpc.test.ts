import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcStatus, encodeGrpcMessage, grpcStatusFor, isGrpcContentType } from './grpc.ts';

test('gRPC content types: application/grpc with a codec or parameters, not grpc-web', () => {
  for (const v of ['application/grpc', 'application/grpc+proto', 'Application/GRPC;charset=utf-8', ['application/grpc']]) assert.equal(isGrpcContentType(v), true, String(v));
  for (const v of [undefined, 'application/grpc-web', 'application/grpc-web+proto', 'application/json', 'application/grp']) assert.equal(isGrpcContentType(v), false, String(v));
});

test('local HTTP statuses map to the gRPC codes the specification and the gRPC HTTP mapping give', () => {
  assert.equal(grpcStatusFor(404), GrpcStatus.Unimplemented);
  assert.equal(grpcStatusFor(501), GrpcStatus.Unimplemented);
  assert.equal(grpcStatusFor(503), GrpcStatus.Unavailable);
  assert.equal(grpcStatusFor(504), GrpcStatus.DeadlineExceeded);
  assert.equal(grpcStatusFor(500), GrpcStatus.Internal);
  assert.equal(grpcStatusFor(418), GrpcStatus.Unknown);
});

test('grpc-message is percent-encoded outside printable ASCII and for "%"', () => {
  assert.equal(encodeGrpcMessage('no route: 100% é\n'), 'no route: 100%25 %C3%A9%0A');
  assert.equal(decodeURIComponent(encodeGrpcMessage('ünïcode % text')), 'ünïcode % text');
});
