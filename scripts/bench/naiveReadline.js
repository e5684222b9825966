'use strict';
// The obvious implementation, for comparison: gunzip → readline → JSON.parse of each line → a daily per-type count
// per tenant, with a Set of log_ids to drop repeats. Prints the number of records it counted.
const fs = require('node:fs');
const readline = require('node:readline');
const zlib = require('node:zlib');

(async () => {
  const counts = new Map();
  const seen = new Set();
  let records = 0;
  for (const file of process.argv.slice(2)) {
    const lines = readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      const item = JSON.parse(line);
      const record = item.detail && item.detail.data ? item.detail.data : item.data || item;
      if (seen.has(record.log_id)) continue;
      seen.add(record.log_id);
      records++;
      const key = `${record.tenant_name}|${String(record.date).slice(0, 10)}|${record.type}`;
      counts.set(key, (counts.get(key) || 0) + 1);
    }
  }
  process.stdout.write(`${records}\n`);
})();
