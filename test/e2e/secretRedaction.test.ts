import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { oneLineMessage, runCli } from '../support/cliRunner';

const ARCHIVES = path.resolve(__dirname, '../../fixtures/e2e/archives');
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDEXAMPLESESSIONTOKEN0123456789abcdefghijKLMNOP';
const HEC_TOKEN = '8d4f2b1c-3a5e-4f60-9b7d-2c1e0a9f8e7d';
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_SESSION_TOKEN: SESSION_TOKEN, AWS_REGION: 'us-east-1' };

let dir: string;
let server: Server;
let seen: IncomingHttpHeaders[];
let reply: (headers: IncomingHttpHeaders) => { status: number; type: string; body: string };

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-redact-'));
  seen = [];
  // An endpoint whose every error repeats the request's headers word for word.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.headers);
      const { status, type, body } = reply(req.headers);
      res.writeHead(status, { 'content-type': type }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const endpoint = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Every text the run left: stderr, and each file it wrote. */
function everythingWritten(stderr: string): string {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return [stderr, ...files.map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))].join('\n');
}

test('an S3 error that echoes the signed request headers is printed as its code and a redacted message', async () => {
  reply = (headers) => ({
    status: 400,
    type: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>EchoedHeaders</Code><Message>request had ${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('; ')}</Message><RequestId>1</RequestId></Error>`,
  });
  const output = path.join(dir, 'out.ndjson');
  const result = await runCli(['run', '-i', 's3://bucket/logs/', '--s3-endpoint', endpoint(), '--s3-force-path-style', '-o', output, '--log-format', 'json'], AWS_ENV);
  // The endpoint did get the secrets (so it could echo them) ...
  expect(seen.some((h) => h['x-amz-security-token'] === SESSION_TOKEN && /Signature=[0-9a-f]{64}/.test(String(h.authorization)))).toBe(true);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('EchoedHeaders: request had');
  // ... and none of them reached stderr, the log lines or the run event in --output.
  const written = everythingWritten(result.stderr);
  expect(readFileSync(output, 'utf8')).toContain('EchoedHeaders');
  expect(written).not.toContain(SESSION_TOKEN);
  expect(written).not.toContain(SECRET_KEY);
  expect(written).not.toMatch(/Signature=[0-9a-f]/);
  expect(written).not.toMatch(/Credential=AKIA/);
  expect(written).not.toMatch(/AWS4-HMAC-SHA256/);
});

test('a HEC error text that echoes "Authorization: Splunk <token>" is redacted', async () => {
  reply = (headers) => ({ status: 400, type: 'application/json', body: JSON.stringify({ code: 99, text: `unexpected request: authorization=${headers.authorization}` }) });
  const output = path.join(dir, 'out.ndjson');
  const result = await runCli(
    ['run', '-i', ARCHIVES, '--no-decode-workers', '--hec-url', endpoint(), '--spool', path.join(dir, 'spool'), '-o', output, '--no-table', '--log-format', 'json'],
    { SPLUNK_HEC_TOKEN: HEC_TOKEN },
  );
  expect(seen.some((h) => h.authorization === `Splunk ${HEC_TOKEN}`)).toBe(true);
  expect(result.stderr).toContain('code 99, unexpected request: authorization=[redacted]');
  expect(everythingWritten(result.stderr)).not.toContain(HEC_TOKEN);
});

test('--s3-endpoint with user:password@ is refused, without repeating them', async () => {
  const result = await runCli(['run', '-i', 's3://bucket/logs/', '--s3-endpoint', 'http://admin:hunter2pass@127.0.0.1:9000']);
  expect(result.code).toBe(2);
  expect(oneLineMessage(result.stderr)).toMatch(/^--s3-endpoint must not contain credentials \(user:password@\)/);
  expect(result.stderr).not.toContain('hunter2pass');
});
