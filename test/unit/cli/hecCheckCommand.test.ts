/** `auth0-usage hec-check`: says which of reachability, TLS, token and index is wrong; exit 0 / 1 / 2. */
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runHecCheck } from '../../../src/cli/hecCheckCommand';
import { main } from '../../../src/cli/main';
import { UsageError } from '../../../src/cli/usageError';
import { selfSignedCertificate } from '../../support/hecCertificate';
import { HecReceiver, type HecReceiverOptions } from '../../support/hecReceiver';
import { capturedIo, TEST_TOKEN, tempDir } from '../../support/hecTestKit';

const env = { SPLUNK_HEC_TOKEN: TEST_TOKEN };

/** The check lines as [mark, check] pairs, e.g. ['ok', 'token']. */
function marks(output: string): string[][] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.trim().split(/\s+/).slice(0, 2));
}

describe('hec-check', () => {
  let receiver: HecReceiver | undefined;
  const start = async (options: Partial<HecReceiverOptions> = {}) => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, ...options });
    return receiver;
  };
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  test('all good: exit 0, and one marked test event reached the target index', async () => {
    const hec = await start({ allowedIndexes: ['summary'] });
    const { io, out } = capturedIo(env);

    expect(await runHecCheck({ 'hec-url': hec.url, 'hec-index': 'summary' }, io)).toBe(0);

    expect(marks(out())).toEqual([['ok', 'reachable'], ['ok', 'tls'], ['ok', 'health'], ['ok', 'token'], ['ok', 'index']]);
    expect(out()).toContain("index 'summary' accepted a test event (search: summary=hec_check)");
    expect(out()).toContain('HEC is ready.');
    expect(hec.events()).toHaveLength(1);
    expect(hec.events()[0]).toMatchObject({ index: 'summary', source: 'auth0-usage', sourcetype: 'auth0:usage', event: { summary: 'hec_check' } });
    expect(hec.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /services/collector/health', 'POST /services/collector/event']);
  });

  test('a wrong token: exit 1, the token line says why, the index is not judged', async () => {
    const hec = await start({ token: 'the-right-one' });
    const { io, out } = capturedIo(env);

    expect(await runHecCheck({ 'hec-url': hec.url }, io)).toBe(1);

    expect(marks(out())).toEqual([['ok', 'reachable'], ['ok', 'tls'], ['ok', 'health'], ['FAILED', 'token'], ['skipped', 'index']]);
    expect(out()).toContain('HEC rejected the token: code 4, Invalid token');
  });

  test('an index the token may not use: exit 1, token ok, index FAILED with code 7', async () => {
    const hec = await start({ allowedIndexes: ['main'] });
    const { io, out } = capturedIo(env);

    expect(await runHecCheck({ 'hec-url': hec.url, 'hec-index': 'summary' }, io)).toBe(1);

    expect(marks(out()).slice(3)).toEqual([['ok', 'token'], ['FAILED', 'index']]);
    expect(out()).toContain("index 'summary' is not allowed for this token: code 7, Incorrect index");
  });

  test('nothing listening: exit 1, reachable FAILED, the rest skipped', async () => {
    const port = await closedPort();
    const { io, out } = capturedIo(env);

    expect(await runHecCheck({ 'hec-url': `http://127.0.0.1:${port}`, 'hec-timeout': 2 }, io)).toBe(1);

    expect(marks(out())).toEqual([['FAILED', 'reachable'], ['skipped', 'tls'], ['skipped', 'health'], ['skipped', 'token'], ['skipped', 'index']]);
    expect(out()).toContain(`FAILED     reachable  cannot reach 127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  test('an http:// URL to a HEC whose TLS is on: reachable FAILED, and the line says to use https://', async () => {
    const hec = await start({ tls: await selfSignedCertificate() });
    const { io, out } = capturedIo(env);

    expect(await runHecCheck({ 'hec-url': hec.url.replace(/^https:/, 'http:'), 'hec-timeout': 2 }, io)).toBe(1);

    expect(marks(out())[0]).toEqual(['FAILED', 'reachable']);
    expect(out()).toContain(`FAILED     reachable  cannot reach ${new URL(hec.url).host}: ECONNRESET. If HEC's TLS is on (enableSSL = 1, Splunk's default), use an https:// URL.\n`);
  });

  test('an untrusted certificate: exit 1, tls FAILED with the TLS message; --hec-ca fixes it', async () => {
    const certificate = await selfSignedCertificate();
    const hec = await start({ tls: certificate });
    const first = capturedIo(env);

    expect(await runHecCheck({ 'hec-url': hec.url }, first.io)).toBe(1);
    expect(marks(first.out()).slice(0, 2)).toEqual([['ok', 'reachable'], ['FAILED', 'tls']]);
    expect(first.out()).toContain('is not trusted');
    expect(first.out()).toContain('--hec-ca FILE');

    const caFile = path.join(tempDir(), 'ca.pem');
    writeFileSync(caFile, certificate.cert);
    const second = capturedIo(env);
    expect(await runHecCheck({ 'hec-url': hec.url, 'hec-ca': caFile }, second.io)).toBe(0);
    expect(second.out()).toContain('certificate verified');
  });

  test('HEC unhealthy: health FAILED with code 18 (exit 1)', async () => {
    const hec = await start();
    hec.unhealthy = true;
    const { io, out } = capturedIo(env);
    expect(await runHecCheck({ 'hec-url': hec.url }, io)).toBe(1);
    expect(out()).toContain('HTTP 503, code 18, HEC is unhealthy, queues are full');
  });

  test('no health endpoint (some HEC-compatible receivers): skipped, and the test event decides', async () => {
    const hec = await start({ noHealthEndpoint: true });
    const { io, out } = capturedIo(env);
    expect(await runHecCheck({ 'hec-url': hec.url }, io)).toBe(0);
    expect(marks(out())[2]).toEqual(['skipped', 'health']);
    expect(hec.events()).toHaveLength(1);
  });

  test('a URL that is not HEC at all: exit 1, the test event step names the 404', async () => {
    const hec = await start({ noHealthEndpoint: true });
    const { io, out } = capturedIo(env);
    expect(await runHecCheck({ 'hec-url': `${hec.url}/not-hec` }, io)).toBe(1);
    expect(marks(out()).slice(3)).toEqual([['UNVERIFIED', 'token'], ['UNVERIFIED', 'index']]);
    expect(out()).toContain(`no HEC endpoint at ${hec.url}/not-hec (HTTP 404)`);
  });

  test('--hec-ack: the test event is acknowledged', async () => {
    const hec = await start({ ack: { falseForQueries: 1 } });
    const { io, out } = capturedIo(env);
    expect(await runHecCheck({ 'hec-url': hec.url, 'hec-ack': true }, io, { ackPollMs: 1 })).toBe(0);
    expect(marks(out()).at(-1)).toEqual(['ok', 'ack']);
    expect(hec.ackRequests()).toHaveLength(2);
  });

  test('a token with acknowledgement on, checked without --hec-ack: the ack line says to pass it', async () => {
    const hec = await start({ ack: {} });
    const { io, out } = capturedIo(env);
    expect(await runHecCheck({ 'hec-url': hec.url }, io)).toBe(1);
    expect(out()).toContain('pass --hec-ack');
  });

  test('usage errors: no --hec-url, no token', async () => {
    await expect(runHecCheck({}, capturedIo(env).io)).rejects.toThrow(new UsageError('hec-check needs --hec-url'));
    await expect(runHecCheck({ 'hec-url': 'http://127.0.0.1:1' }, capturedIo({}).io)).rejects.toThrow(UsageError);
  });

  test('as a command of the CLI: its exit code is the process exit code', async () => {
    const hec = await start();
    expect(await main(['hec-check', '--hec-url', hec.url], capturedIo(env).io)).toBe(0);
    expect(await main(['hec-check', '--hec-url', `http://127.0.0.1:${await closedPort()}`, '--hec-timeout', '2'], capturedIo(env).io)).toBe(1);
    expect(await main(['hec-check'], capturedIo(env).io)).toBe(2);
  });
});

/** A port with nothing listening: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
