/**
 * Kubernetes label selectors: the structured form (matchLabels + matchExpressions) used in specs,
 * and the string form (`a=b,c!=d,e in (x,y),!f`) used by the REST `labelSelector` parameter.
 */

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * True when `labels` satisfy the selector. An empty selector matches everything, as in Kubernetes.
 * An unknown operator matches nothing (validation rejects it before it gets here).
 */
export function matchesSelector(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return true;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (l[k] !== v) return false;
  }
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Parses the string form of a selector. Throws Error with a message naming the bad term.
 * Supported: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
 */
export function parseSelector(text: string): LabelSelector {
  const sel: Required<LabelSelector> = { matchLabels: {}, matchExpressions: [] };
  for (const term of splitTerms(text)) {
    const t = term.trim();
    if (!t) continue;
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^([^\s!=,()]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const values = m[3].split(',').map((s) => s.trim()).filter(Boolean);
      sel.matchExpressions.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = t.match(/^([^\s!=,()]+)\s*!=\s*([^\s,()]*)$/))) {
      sel.matchExpressions.push({ key: m[1], operator: 'NotIn', values: [m[2]] });
    } else if ((m = t.match(/^([^\s!=,()]+)\s*==?\s*([^\s,()]*)$/))) {
      sel.matchLabels[m[1]] = m[2];
    } else if ((m = t.match(/^!\s*([^\s!=,()]+)$/))) {
      sel.matchExpressions.push({ key: m[1], operator: 'DoesNotExist' });
    } else if ((m = t.match(/^([^\s!=,()]+)$/))) {
      sel.matchExpressions.push({ key: m[1], operator: 'Exists' });
    } else {
      throw new Error(`invalid label selector term "${t}"`);
    }
  }
  return sel;
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
