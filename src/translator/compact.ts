/**
 * Memory helpers for what the incremental translator keeps per route between translations (thousands
 * of routes: every few dozen bytes per route show in the process's RSS).
 */

/**
 * `list` with no spare capacity. An array built by push() keeps room for 16 or more elements, a few
 * dozen bytes wasted by each short list kept (one parent, one entry, one hostname...); a slice holds
 * exactly its elements. Longer lists are returned as they are (their slack is proportionally small).
 */
export function exact<T>(list: T[]): T[] {
  return list.length <= 16 ? list.slice() : list;
}
