/**
 * HTTPS to HEC: certificate verification is on by default (an unknown CA fails with a clear TLS
 * message and nothing is retried), --hec-ca trusts a given CA, --hec-insecure works but is warned about.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { hecSinkOptionsFromArgv } from '../../../../src/cli/hecOptions';
import { HecTlsError } from '../../../../src/sinks/hec/hecErrors';
import { HecSink } from '../../../../src/sinks/hec/hecSink';
import { selfSignedCertificate, type TestCertificate } from '../../../support/hecCertificate';
import { HecReceiver } from '../../../support/hecReceiver';
import { dailyEnvelopes, summaryIds } from '../../../support/hecEnvelopes';
import { FAST_GIVE_UP, recordingLog, recordingSleep, TEST_TOKEN, tempDir, testSink } from '../../../support/hecTestKit';

const splunkConfig = { source: 'auth0-usage', sourcetype: 'auth0:usage' };

describe('HecSink over HTTPS', () => {
  let certificate: TestCertificate;
  let other: TestCertificate;
  let receiver: HecReceiver;
  beforeAll(async () => {
    [certificate, other] = await Promise.all([selfSignedCertificate(), selfSignedCertificate()]);
  });
  beforeEach(async () => {
    receiver = await HecReceiver.start({ token: TEST_TOKEN, tls: certificate });
  });
  afterEach(async () => receiver.close());

  test('an unknown CA fails at once with a TLS message naming --hec-ca; the events are spooled', async () => {
    const { sink, waits } = testSink(receiver);
    const error = await sink.deliver(dailyEnvelopes(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HecTlsError);
    expect((error as HecTlsError).message).toMatch(/^TLS: the certificate of 127\.0\.0\.1:\d+ is not trusted \(\w+: .+\)\. Pass the CA bundle that signed it with --hec-ca FILE/);
    expect(waits).toEqual([]);
    expect(receiver.requests).toEqual([]);
    expect(sink.stats()).toMatchObject({ hec_events_spooled: 2 });
  });

  test('an http:// URL to this TLS port: each retry\'s warning says the connection was reset and to use https://', async () => {
    const { sink, log } = testSink(receiver, { url: receiver.url.replace(/^https:/, 'http:'), ...FAST_GIVE_UP });
    const outcome = await sink.deliver(dailyEnvelopes(1)).catch((e: unknown) => e);
    expect(outcome).toMatchObject({ delivered: 0, spooled: 1 });
    const warnings = log.lines.filter((l) => l.startsWith('warn HEC:') && l.includes('retry'));
    expect(warnings.length).toBeGreaterThan(0);
    for (const line of warnings) expect(line).toMatch(/: ECONNRESET [^;]*; if HEC's TLS is on \(enableSSL = 1, Splunk's default\), use an https:\/\/ URL; retry \d+ in/);
    expect(receiver.indexed).toEqual([]);
  });

  test('a CA that did not sign the certificate is refused too', async () => {
    const { sink } = testSink(receiver, { ca: other.cert });
    await expect(sink.deliver(dailyEnvelopes(1))).rejects.toBeInstanceOf(HecTlsError);
    expect(receiver.indexed).toEqual([]);
  });

  test('--hec-ca FILE: the certificate is verified against that CA and the events arrive once', async () => {
    const caFile = path.join(tempDir(), 'ca.pem');
    writeFileSync(caFile, certificate.cert);
    const options = hecSinkOptionsFromArgv({ 'hec-url': receiver.url, 'hec-ca': caFile, spool: tempDir() }, { SPLUNK_HEC_TOKEN: TEST_TOKEN }, splunkConfig)!;
    const log = recordingLog();
    const sink = new HecSink(options, { runId: 'r', log, sleep: recordingSleep().sleep });
    const envelopes = dailyEnvelopes(4);

    expect(await sink.deliver(envelopes)).toEqual({ delivered: 4, spooled: 0, rejected: 0 });
    expect(receiver.summaryIds()).toEqual(summaryIds(envelopes));
    expect(log.lines.filter((l) => l.startsWith('warn'))).toEqual([]);
  });

  test('the host name must match the certificate: localhost works with the CA as well', async () => {
    const { sink } = testSink(receiver, { url: receiver.url.replace('127.0.0.1', 'localhost'), ca: certificate.cert });
    expect(await sink.deliver(dailyEnvelopes(1))).toEqual({ delivered: 1, spooled: 0, rejected: 0 });
  });

  test('--hec-insecure: delivered without verification, and a warning says so', async () => {
    const { sink, log } = testSink(receiver, { insecure: true });
    expect(await sink.deliver(dailyEnvelopes(2))).toEqual({ delivered: 2, spooled: 0, rejected: 0 });
    expect(log.lines).toContainEqual(expect.stringMatching(/^warn --hec-insecure: HEC certificate verification is off/));
  });

  test('https:// against a plain-HTTP port: a TLS message suggesting http://', async () => {
    const plain = await HecReceiver.start({ token: TEST_TOKEN });
    try {
      const { sink } = testSink(plain, { url: plain.url.replace('http:', 'https:') });
      await expect(sink.deliver(dailyEnvelopes(1))).rejects.toThrow(/TLS handshake with 127\.0\.0\.1:\d+ failed .*use an http:\/\/ URL/);
    } finally {
      await plain.close();
    }
  });
});
