import path from 'node:path';

const SlowFirstSequencer = require('./slowFirstSequencer.js');

const ROOT = path.resolve(__dirname, '../..');

/** A Jest test as the sequencer sees it, in a context without a record of durations (a fresh clone's). */
function testFile(relative: string, size: number) {
  const sizes = new Map([[path.join(ROOT, relative), size]]);
  return {
    path: path.join(ROOT, relative),
    context: { config: { cache: false, id: 'fresh' }, hasteFS: { getSize: (file: string) => sizes.get(file) } },
  };
}

test('without recorded durations, the listed slow files start first in the list\'s order, the rest by size as Jest does', () => {
  const sequencer = new SlowFirstSequencer({ contexts: [], globalConfig: {} });
  const tests = [
    testFile('test/unit/a.test.ts', 10),
    testFile('test/e2e/stateMemory.test.ts', 50),
    testFile('test/unit/b.test.ts', 1000),
    testFile('test/e2e/productionInstall.test.ts', 5),
  ];
  const order = sequencer.sort(tests).map((t: { path: string }) => path.relative(ROOT, t.path));
  expect(order).toEqual([
    'test/e2e/productionInstall.test.ts',
    'test/e2e/stateMemory.test.ts',
    'test/unit/b.test.ts',
    'test/unit/a.test.ts',
  ]);
});
