/**
 * TLSRoute validation rules: SNI hostnames are DNS names (never IPs, wildcards only as the whole
 * first label), plus the parentRef and backend rules every L4 route has.
 */
import { isIP } from 'node:net';
import { type ErrorList, listOf } from './types.ts';
import { checkL4Route } from './rules-common.ts';

/** Reason texts of TLSRoute rules. */
export const TLSROUTE_REASON = {
  ipHostname: 'hostnames must not be IP addresses',
  badHostname: 'hostnames must be lower-case RFC 1123 DNS names',
  badWildcard: 'a wildcard must be the whole first label ("*.example.com")',
} as const;

const DNS = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/** Runs every TLSRoute rule on a defaulted spec. */
export function checkTLSRoute(spec: any, errs: ErrorList): void {
  const names = listOf(spec.hostnames).filter((h): h is string => typeof h === 'string');
  const path = ['spec', 'hostnames'];
  if (names.some((h) => isIP(h) !== 0)) errs.add(path, TLSROUTE_REASON.ipHostname);
  if (names.some((h) => !h.includes('*') && !DNS.test(h))) errs.add(path, TLSROUTE_REASON.badHostname);
  if (names.some((h) => h.includes('*') && !(h.startsWith('*.') && DNS.test(h.slice(2))))) errs.add(path, TLSROUTE_REASON.badWildcard);
  checkL4Route(spec, errs);
}
