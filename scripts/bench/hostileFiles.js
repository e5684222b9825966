'use strict';
// Writers of the hostile inputs that are not archives of plausible records (those come from generate-archives.js):
// junk lines, tiny lines, an unterminated string, a record with millions of keys, records of many unknown types.
// Each streams through gzip, so that no file is ever held whole in memory here.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { once } = require('node:events');

/** Writes the chunks `next()` returns (until it returns null) into a gzip file. */
async function gzipFile(file, next) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file);
  const gzip = zlib.createGzip({ level: 6 });
  gzip.pipe(out);
  for (let chunk = next(); chunk !== null; chunk = next()) {
    if (!gzip.write(chunk)) await once(gzip, 'drain');
  }
  gzip.end();
  await once(out, 'close');
}

/** `count` chunks made by `make(i)`, in blocks of about 1 MiB to keep the number of writes down. */
function blocks(count, make) {
  let i = 0;
  return () => {
    if (i >= count) return null;
    const parts = [];
    let size = 0;
    while (i < count && size < 1 << 20) {
      const part = make(i++);
      parts.push(part);
      size += part.length;
    }
    return parts.join('');
  };
}

const logId = (i) => `900${String(i).padStart(53, '0')}`;
const record = (i, type, extra = '') => `{"date":"2024-01-01T00:00:00.000Z","type":"${type}","tenant_name":"tenant1","client_id":"c","log_id":"${logId(i)}"${extra}}\n`;

/** Lines of `bytes` bytes of junk that is not JSON (letters and digits; compresses like a log file, not like zeros). */
function junkLines(file, lines, bytes) {
  const line = Array.from({ length: bytes - 1 }, (_, i) => 'junk line, not JSON 0123456789 '[i % 31]).join('') + '\n';
  return gzipFile(file, blocks(lines, () => line));
}

/** Lines of one character each: `x`, which is not JSON. */
function tinyLines(file, lines) {
  return gzipFile(file, blocks(lines, () => 'x\n'));
}

/** A record whose description string opens and never closes: `bytes` bytes of string, then the end of the file. */
function unterminatedString(file, bytes) {
  const head = `{"date":"2024-01-01T00:00:00.000Z","type":"s","log_id":"${logId(1)}","description":"`;
  const block = 'a'.repeat(1 << 20);
  let left = Math.ceil(bytes / block.length);
  let first = true;
  return gzipFile(file, () => {
    if (first) return (first = false), head;
    return left-- > 0 ? block : null;
  });
}

/** One valid record with `keys` distinct extra keys. */
function manyKeys(file, keys) {
  let state = 0;
  let i = 0;
  return gzipFile(file, () => {
    if (state === 0) return (state = 1), `{"date":"2024-01-01T00:00:00.000Z","type":"s","tenant_name":"tenant1","client_id":"c","log_id":"${logId(1)}"`;
    if (state === 1) {
      if (i >= keys) return (state = 2), '}\n';
      const parts = [];
      for (let n = 0; n < 50000 && i < keys; n++, i++) parts.push(`,"key${i}":${i}`);
      return parts.join('');
    }
    return null;
  });
}

/** `count` records, each of its own type code that no Auth0 list has. */
function unknownTypes(file, count) {
  return gzipFile(file, blocks(count, (i) => record(i + 1, `zz_unknown_${i}`)));
}

module.exports = { junkLines, tinyLines, unterminatedString, manyKeys, unknownTypes };
