/**
 * The gRPC echo service of the conformance backends (echo-contract.md §3), shared by the echo
 * backend (server side) and the request ops (client side). Written from the contract's facts:
 * package, service, methods, messages and field numbers.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Proto package of the echo service. */
export const GRPC_ECHO_PACKAGE = 'gateway_api_conformance.echo_basic.grpcecho';
/** Fully qualified service name. */
export const GRPC_ECHO_SERVICE = `${GRPC_ECHO_PACKAGE}.GrpcEcho`;
/** The three methods; EchoThree is deliberately left unimplemented by the backend. */
export const GRPC_ECHO_METHODS = ['Echo', 'EchoTwo', 'EchoThree'] as const;
/** One of the echo methods. */
export type GrpcEchoMethod = (typeof GRPC_ECHO_METHODS)[number];

/** `/package.GrpcEcho/Method`, as the backend reports it in `fully_qualified_method`. */
export function fullyQualifiedMethod(method: GrpcEchoMethod): string {
  return `/${GRPC_ECHO_SERVICE}/${method}`;
}

const str = (id: number) => ({ type: 'string', id });

/** protobufjs JSON descriptor of the echo proto. */
const descriptor = {
  nested: {
    gateway_api_conformance: {
      nested: {
        echo_basic: {
          nested: {
            grpcecho: {
              nested: {
                EchoRequest: { fields: {} },
                EchoResponse: { fields: { assertions: { type: 'Assertions', id: 1 }, request: { type: 'EchoRequest', id: 2 } } },
                Assertions: {
                  fields: {
                    fully_qualified_method: str(1),
                    headers: { rule: 'repeated', type: 'Header', id: 2 },
                    authority: str(3),
                    context: { type: 'Context', id: 4 },
                    tls_assertions: { type: 'TLSAssertions', id: 5 },
                  },
                },
                Header: { fields: { key: str(1), value: str(2) } },
                Context: { fields: { namespace: str(1), ingress: str(2), service_name: str(3), pod: str(4) } },
                TLSAssertions: {
                  fields: {
                    version: str(1),
                    negotiated_protocol: str(2),
                    server_name: str(3),
                    cipher_suite: str(4),
                    peer_certificates: { rule: 'repeated', type: 'string', id: 5 },
                  },
                },
                GrpcEcho: {
                  methods: {
                    Echo: { requestType: 'EchoRequest', responseType: 'EchoResponse' },
                    EchoTwo: { requestType: 'EchoRequest', responseType: 'EchoResponse' },
                    EchoThree: { requestType: 'EchoRequest', responseType: 'EchoResponse' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

/** Field names stay snake_case; absent scalars decode as their zero values. */
const packageDefinition = protoLoader.fromJSON(descriptor as any, { keepCase: true, defaults: true, arrays: true, objects: false });

/** The service definition (for `server.addService`) and the client constructor. */
export const grpcEcho = (grpc.loadPackageDefinition(packageDefinition) as any).gateway_api_conformance.echo_basic.grpcecho.GrpcEcho as grpc.ServiceClientConstructor;

/** The decoded EchoResponse (snake_case fields, zero values filled). */
export interface EchoResponse {
  assertions?: {
    fully_qualified_method: string;
    headers: { key: string; value: string }[];
    authority: string;
    context?: { namespace: string; ingress: string; service_name: string; pod: string };
    tls_assertions?: { version: string; negotiated_protocol: string; server_name: string; cipher_suite: string; peer_certificates: string[] };
  };
}
