/** Where the admin API listens unless --admin says otherwise: loopback only. */
export const DEFAULT_ADMIN = '127.0.0.1:9901';
/** The GatewayClass controllerName this Gatehouse serves unless --controller-name says otherwise. */
export const DEFAULT_CONTROLLER_NAME = 'gatehouse.dev/gateway-controller';
