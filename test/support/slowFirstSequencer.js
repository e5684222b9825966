'use strict';
// Jest's own order runs the files that took longest last time first, so that no long file starts near the end and
// runs on alone. A fresh clone has no such record, and Jest then orders by file size: `productionInstall` (an offline
// `npm ci`, about 15-19 s) is a short file and used to start last, leaving one worker busy for its whole length after
// the others had finished. The files below (the slowest, measured on 2 idle cores) always start first; every other
// file keeps Jest's order.
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const ROOT = path.resolve(__dirname, '../..');

/** Slowest first, with the seconds each took in a full run on 2 idle cores (3 workers; 2026-12-06). */
const SLOW_FIRST = [
  'test/e2e/productionInstall.test.ts', // 20 s
  'test/e2e/shutdown.test.ts', // 15 s
  'test/e2e/quarantineStateCrash.test.ts', // 10 s
  'test/e2e/outputStateCrash.test.ts', // 10 s
  'test/e2e/resumableBackfill.test.ts', // 9 s
  'test/e2e/stateMemory.test.ts', // 9 s
  'test/unit/sources/s3/s3Listing.test.ts', // 9 s
  'test/e2e/chunkedDelivery.test.ts', // 8 s
  'test/e2e/shardedBackfill.test.ts', // 7 s
  'test/e2e/runAuth0Stats.test.ts', // 7 s
  'test/e2e/auth0Check.test.ts', // 7 s
  'test/e2e/stateSafety.test.ts', // 7 s
];

// A renamed or removed file would silently fall back to Jest's order: say so instead.
for (const file of SLOW_FIRST) {
  if (!fs.existsSync(path.join(ROOT, file))) {
    throw new Error(`test/support/slowFirstSequencer.js lists ${file}, which does not exist: update the list`);
  }
}

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const index = SLOW_FIRST.indexOf(path.relative(ROOT, test.path).split(path.sep).join('/'));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the unlisted files keep Jest's order among themselves.
    return Array.from(super.sort(tests)).sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;
module.exports.SLOW_FIRST = SLOW_FIRST;
