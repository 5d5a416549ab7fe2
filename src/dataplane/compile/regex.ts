import { RE2JS } from 're2js';

/** A user regular expression compiled for linear-time, whole-string matching. */
export interface LinearRegex {
  /** True when the whole input matches (the pattern is implicitly anchored at both ends). */
  test(input: string): boolean;
}

/** Result of compiling a user regular expression: the matcher, or a precise error message. */
export type RegexResult = { readonly ok: true; readonly regex: LinearRegex } | { readonly ok: false; readonly error: string };

/**
 * Compiles a user-supplied pattern with RE2 semantics (re2js), never `new RegExp`: user input must not be
 * able to trigger catastrophic backtracking. Errors are returned, never thrown.
 */
export function compileUserRegex(pattern: string): RegexResult {
  try {
    const re = RE2JS.compile(pattern);
    // testExact runs on the DFA without capture tracking: the cheapest anchored check re2js offers.
    return { ok: true, regex: { test: (input: string) => re.testExact(input) } };
  } catch (err) {
    return { ok: false, error: `invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}` };
  }
}
