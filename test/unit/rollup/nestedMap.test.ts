import { type NestedMap, nestedAdd, nestedDelete, nestedGet, nestedValues, nestedValuesOf } from '../../../src/rollup/nestedMap';

interface Day {
  tenant: string;
  day: string;
}
const dayOf = (value: Day) => value.day;
const day = (tenant: string, d: string): Day => ({ tenant, day: d });

describe('nested maps', () => {
  it('hold an outer key\'s one value alone and make its map at the second', () => {
    const nested: NestedMap<string, string, Day> = new Map();
    const a1 = day('a', '01');
    expect(nestedAdd(nested, 'a', a1, dayOf)).toBe(false);
    expect(nested.get('a')).toBe(a1); // the value itself, no map
    const a2 = day('a', '02');
    expect(nestedAdd(nested, 'a', a2, dayOf)).toBe(true); // the second value makes the map
    expect(nested.get('a')).toEqual(new Map([['01', a1], ['02', a2]]));
    const a3 = day('a', '03');
    expect(nestedAdd(nested, 'a', a3, dayOf)).toBe(false); // added to the map made before
    const b1 = day('b', '01');
    nestedAdd(nested, 'b', b1, dayOf);
    expect([nestedGet(nested, 'a', '02', dayOf), nestedGet(nested, 'b', '01', dayOf)]).toEqual([a2, b1]);
    expect([nestedGet(nested, 'b', '02', dayOf), nestedGet(nested, 'c', '01', dayOf)]).toEqual([undefined, undefined]);
    expect(nestedValuesOf(nested, 'a')).toEqual([a1, a2, a3]);
    expect(nestedValuesOf(nested, 'b')).toEqual([b1]);
    expect(nestedValuesOf(nested, 'c')).toEqual([]);
    expect([...nestedValues(nested)]).toEqual([a1, a2, a3, b1]);
  });

  it('remove a value held alone with its key, and one of a map from the map', () => {
    const nested: NestedMap<string, string, Day> = new Map();
    const [a1, a2, b1] = [day('a', '01'), day('a', '02'), day('b', '01')];
    for (const value of [a1, a2, b1]) nestedAdd(nested, value.tenant, value, dayOf);
    nestedDelete(nested, 'b', '02', dayOf); // not there: nothing changes
    expect(nested.get('b')).toBe(b1);
    nestedDelete(nested, 'b', '01', dayOf);
    expect(nested.has('b')).toBe(false);
    nestedDelete(nested, 'a', '01', dayOf);
    expect(nestedValuesOf(nested, 'a')).toEqual([a2]);
    nestedDelete(nested, 'a', '02', dayOf);
    expect([...nestedValues(nested)]).toEqual([]);
    nestedAdd(nested, 'a', a1, dayOf); // into the map that stayed
    expect(nested.get('a')).toEqual(new Map([['01', a1]]));
  });
});
