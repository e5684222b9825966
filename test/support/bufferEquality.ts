/**
 * Buffers compare byte for byte with Buffer.equals: Jest's own deep equality walks a Buffer as an iterable, one
 * element at a time, which cost the decode tests seconds on buffers of tens of KB. Other values are left to Jest.
 */
import { expect } from '@jest/globals';

expect.addEqualityTesters([
  function buffersEqual(a, b) {
    if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
    return undefined;
  },
]);
