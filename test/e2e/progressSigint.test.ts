import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { terminalScreen } from '../support/terminalScreen';
import { tempDir } from '../support/hecTestKit';

const ROOT = path.resolve(__dirname, '../..');
const BODY = readFileSync(path.join(ROOT, 'fixtures/e2e/archives/c-webhook.ndjson'));

// Ctrl-C on a real terminal (a pty from script(1)): the terminal echoes `^C` where the cursor is. A bar that ended
// in the last column had that echo wrap to a new row, which the warning then took, leaving a stale bar above it.
test('Ctrl-C during the bar on an 80-column terminal: the warning takes the bar\'s row, one bar stays on screen', async () => {
  const release: Array<() => void> = [];
  // An S3 endpoint whose one object's body stops after its first bytes, until the test lets it go on.
  const server = http.createServer((req, res) => {
    if (req.url?.includes('list-type=2')) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>a.ndjson</Key><LastModified>2024-03-12T00:00:00.000Z</LastModified><ETag>"x"</ETag><Size>${BODY.length}</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>`,
      );
      return;
    }
    res.writeHead(200, { 'content-length': BODY.length, etag: '"x"' });
    res.write(BODY.subarray(0, 10));
    release.push(() => res.end(BODY.subarray(10)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const out = path.join(tempDir(), 'out.ndjson');
  const command = `stty cols 80; exec node ${path.join(ROOT, 'dist/cli.js')} run --input s3://b/ --s3-endpoint ${endpoint} --output ${out} --no-table --decode-threads 0`;
  const child = spawn('script', ['-q', '-c', command, '/dev/null'], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let screenBytes = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    screenBytes += chunk.toString('utf8');
    // The bar is drawn with the object listed and its body held: Ctrl-C, then the body is let go.
    if (!sent && /1 objects \|/.test(screenBytes) && release.length > 0) {
      sent = true;
      child.stdin.write('\x03');
      const warned = setInterval(() => {
        if (screenBytes.includes('received SIGINT')) {
          clearInterval(warned);
          for (const go of release) go();
        }
      }, 10);
    }
  });
  const [code] = await once(child, 'exit');
  server.close();
  expect(code).toBe(0);
  const screen = terminalScreen(screenBytes, 80);
  const warning = screen.findIndex((line) => line.includes('received SIGINT'));
  expect(warning).toBeGreaterThanOrEqual(0);
  expect(screen.filter((line) => line.includes('objects |'))).toHaveLength(1);
  expect(screen.findIndex((line) => line.includes('objects |'))).toBeGreaterThan(warning);
  expect(screen.at(-2) ?? screen.at(-1)).toMatch(/auth0-usage: stopped by SIGINT/);
}, 30_000);
