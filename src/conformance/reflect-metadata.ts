/**
 * The three Reflect metadata functions @peculiar/x509's dependency injection container (tsyringe)
 * looks for at load time. No polyfill package is installed, so this module provides a minimal one;
 * import it before `@peculiar/x509`. Metadata is looked up along the prototype chain by
 * `getMetadata` and on the object itself by `getOwnMetadata`, as the metadata proposal specifies.
 */

type Target = object;
const store = new WeakMap<Target, Map<unknown, unknown>>();

function own(target: Target, key: unknown): unknown {
  return store.get(target)?.get(key);
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = (key: unknown, value: unknown, target: Target): void => {
    let m = store.get(target);
    if (!m) store.set(target, (m = new Map()));
    m.set(key, value);
  };
  R.getOwnMetadata = (key: unknown, target: Target): unknown => own(target, key);
  R.getMetadata = (key: unknown, target: Target): unknown => {
    for (let t: Target | null = target; t; t = Object.getPrototypeOf(t)) {
      const v = own(t, key);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

/** True once the polyfill (or a real one) is in place. */
export const reflectMetadataReady: boolean = typeof R.getMetadata === 'function';
