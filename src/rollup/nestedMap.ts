/**
 * Values by an outer and an inner key (tenant and day, client and audience), where an outer key with one value holds
 * that value itself and gets a map by inner key only at its second: most of a fleet's tenants have one day and most
 * clients one audience, and an empty V8 Map is about 200 bytes, copied by every young collection while days are read.
 * A value carries its own inner key (`innerKey`), so the one held alone needs no map to be told apart. Plain
 * functions over the outer Map rather than a class: a day's aggregate holds one, and a wrapper would be one more
 * object a tenant-day.
 */
export type NestedMap<K, I, V extends object> = Map<K, V | Map<I, V>>;

export function nestedGet<K, I, V extends object>(nested: NestedMap<K, I, V>, key: K, inner: I, innerKey: (value: V) => I): V | undefined {
  const held = nested.get(key);
  if (held === undefined) return undefined;
  if (held instanceof Map) return held.get(inner);
  return innerKey(held) === inner ? held : undefined;
}

/** Adds a value whose inner key is not yet there for `key`; true when that made the key's map (its second value). */
export function nestedAdd<K, I, V extends object>(nested: NestedMap<K, I, V>, key: K, value: V, innerKey: (value: V) => I): boolean {
  const held = nested.get(key);
  if (held === undefined) nested.set(key, value);
  else if (held instanceof Map) held.set(innerKey(value), value);
  else {
    nested.set(key, new Map([[innerKey(held), held], [innerKey(value), value]]));
    return true;
  }
  return false;
}

/** Removes the value of `key` and `inner`; an outer key's map, once made, stays (empty or not). */
export function nestedDelete<K, I, V extends object>(nested: NestedMap<K, I, V>, key: K, inner: I, innerKey: (value: V) => I): void {
  const held = nested.get(key);
  if (held instanceof Map) held.delete(inner);
  else if (held !== undefined && innerKey(held) === inner) nested.delete(key);
}

/** The values of one outer key, in the order added. */
export function nestedValuesOf<K, I, V extends object>(nested: NestedMap<K, I, V>, key: K): V[] {
  const held = nested.get(key);
  if (held === undefined) return [];
  return held instanceof Map ? [...held.values()] : [held];
}

/** Every value, by outer key in the order first added, then in the order added. */
export function* nestedValues<K, I, V extends object>(nested: NestedMap<K, I, V>): IterableIterator<V> {
  for (const held of nested.values()) {
    if (held instanceof Map) yield* held.values();
    else yield held;
  }
}
