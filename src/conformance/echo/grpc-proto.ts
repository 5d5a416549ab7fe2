/**
 * The EchoResponse of the conformance gRPC echo service (echo-contract §3) in the camelCase shape
 * the echo backend builds, encoded and decoded through the one service definition the harness has
 * (../grpc-def.ts, protobufjs via @grpc/proto-loader), so client and server can never disagree.
 */
import { GRPC_ECHO_SERVICE as SERVICE, grpcEcho, type EchoResponse as WireResponse } from '../grpc-def.ts';

/** The fully-qualified service name. */
export const GRPC_ECHO_SERVICE = SERVICE;

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

const echo = (grpcEcho as any).service.Echo as { responseSerialize(v: unknown): Buffer; responseDeserialize(b: Buffer): WireResponse };

/** Encodes an EchoResponse (protobuf wire format). */
export function encodeEchoResponse(r: EchoResponse): Buffer {
  const a = r.assertions;
  if (!a) return echo.responseSerialize({});
  return echo.responseSerialize({
    assertions: {
      fully_qualified_method: a.fullyQualifiedMethod,
      headers: a.headers,
      authority: a.authority,
      ...(a.context && { context: { namespace: a.context.namespace, ingress: a.context.ingress, service_name: a.context.serviceName, pod: a.context.pod } }),
      ...(a.tlsAssertions && {
        tls_assertions: {
          version: a.tlsAssertions.version,
          negotiated_protocol: a.tlsAssertions.negotiatedProtocol,
          server_name: a.tlsAssertions.serverName,
          cipher_suite: a.tlsAssertions.cipherSuite,
          peer_certificates: a.tlsAssertions.peerCertificates,
        },
      }),
    },
  });
}

/** Decodes an EchoResponse; throws on malformed input. */
export function decodeEchoResponse(buf: Buffer): EchoResponse {
  const a = echo.responseDeserialize(buf).assertions;
  if (!a) return {};
  return {
    assertions: {
      fullyQualifiedMethod: a.fully_qualified_method,
      headers: a.headers.map((h) => ({ key: h.key, value: h.value })),
      authority: a.authority,
      ...(a.context && { context: { namespace: a.context.namespace, ingress: a.context.ingress, serviceName: a.context.service_name, pod: a.context.pod } }),
      ...(a.tls_assertions && {
        tlsAssertions: {
          version: a.tls_assertions.version,
          negotiatedProtocol: a.tls_assertions.negotiated_protocol,
          serverName: a.tls_assertions.server_name,
          cipherSuite: a.tls_assertions.cipher_suite,
          peerCertificates: a.tls_assertions.peer_certificates,
        },
      }),
    },
  };
}
