/**
 * Kubernetes name formats: which strings may name an object, a label key or a label value.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Name formats objects use. */
export type NameFormat = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label';

/** Why `name` is not valid in `format`, or undefined when it is. */
export function nameProblem(name: string, format: NameFormat): string | undefined {
  switch (format) {
    case 'dns1123-label':
      if (name.length > 63) return 'must be no more than 63 characters';
      if (!DNS1123_LABEL.test(name)) return "a lowercase RFC 1123 label must consist of a-z, 0-9 and '-', and start and end with a letter or digit";
      return undefined;
    case 'dns1035-label':
      if (name.length > 63) return 'must be no more than 63 characters';
      if (!DNS1035_LABEL.test(name)) return "a DNS-1035 label must consist of a-z, 0-9 and '-', start with a letter and end with a letter or digit";
      return undefined;
    default:
      if (name.length > 253) return 'must be no more than 253 characters';
      if (!DNS1123_SUBDOMAIN.test(name)) {
        return "a lowercase RFC 1123 subdomain must consist of a-z, 0-9, '-' and '.', and start and end with a letter or digit";
      }
      return undefined;
  }
}

/** Why `key` is not a valid label or annotation key ("prefix/name"), or undefined. */
export function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    const p = nameProblem(prefix, 'dns1123-subdomain');
    if (p) return `prefix part ${p}`;
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!QUALIFIED_NAME.test(name)) {
    return "name part must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric";
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters';
  if (!LABEL_VALUE.test(value)) return "a label value must be empty or consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  return undefined;
}
