'use strict';
// The obvious implementation, for comparison: gunzip → the ndjson package's parser → a daily per-type count
// with a Set of log_ids. Prints the number of records it counted.
const fs = require('node:fs');
const zlib = require('node:zlib');
const ndjson = require('ndjson');

const counts = new Map();
const seen = new Set();
let records = 0;
const files = process.argv.slice(2);

(async () => {
  for (const file of files) {
    await new Promise((resolve, reject) => {
      fs.createReadStream(file)
        .pipe(zlib.createGunzip())
        .pipe(ndjson.parse())
        .on('data', (item) => {
          const record = item.detail && item.detail.data ? item.detail.data : item.data || item;
          if (seen.has(record.log_id)) return;
          seen.add(record.log_id);
          records++;
          const key = `${record.tenant_name}|${String(record.date).slice(0, 10)}|${record.type}`;
          counts.set(key, (counts.get(key) || 0) + 1);
        })
        .on('error', reject)
        .on('end', resolve);
    });
  }
  process.stdout.write(`${records}\n`);
})();
