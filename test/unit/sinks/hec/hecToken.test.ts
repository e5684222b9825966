/**
 * The token never shows: not in log lines (debug included), error messages, inspected objects, spool
 * files or hec-check output — on success, on refusal, on network and TLS failures, and when a server
 * echoes it back.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { runHecCheck } from '../../../../src/cli/hecCheckCommand';
import { HecSink } from '../../../../src/sinks/hec/hecSink';
import { selfSignedCertificate } from '../../../support/hecCertificate';
import { HecReceiver } from '../../../support/hecReceiver';
import { dailyEnvelopes } from '../../../support/hecEnvelopes';
import { capturedIo, recordingLog, recordingSleep, tempDir } from '../../../support/hecTestKit';

const SECRET = 'f00dcafe-5ec7-4e7a-b0b0-70ce7e57a11e';

describe('the HEC token stays secret', () => {
  const seen: string[] = [];
  const receivers: HecReceiver[] = [];
  const start = async (token: string, tls?: { key: string; cert: string }) => {
    const receiver = await HecReceiver.start({ token, tls });
    receivers.push(receiver);
    return receiver;
  };

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  /** Delivers through a sink with debug logging and collects everything it could print. */
  async function exercise(url: string, extra: { ca?: string; insecure?: boolean } = {}): Promise<void> {
    const log = recordingLog();
    const spoolDir = tempDir();
    const sink = new HecSink(
      { url, token: SECRET, spoolDir, timeoutMs: 500, retry: { initialDelayMs: 1, maxDelayMs: 2, deadlineMs: 30 }, ...extra },
      { runId: 'leak-check', log, sleep: recordingSleep().sleep },
    );
    try {
      await sink.deliver(dailyEnvelopes(3));
      await sink.deliver([]);
    } catch (error) {
      seen.push(String(error), util.inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error));
    }
    seen.push(...log.lines, util.inspect(sink, { depth: 10, showHidden: true }), JSON.stringify(sink));
    for (const name of readdirSync(spoolDir)) seen.push(readFileSync(path.join(spoolDir, name), 'utf8'));
  }

  test('the receiver really got the token (so the scenarios below are meaningful)', async () => {
    const receiver = await start(SECRET);
    await exercise(receiver.url);
    expect(receiver.eventRequests()[0]!.headers.authorization).toBe(`Splunk ${SECRET}`);
    expect(receiver.indexed).toHaveLength(3);
  });

  test('refused token, echoed token, busy server, refused connection, TLS failure: nothing shows it', async () => {
    await exercise((await start('another-token')).url);

    const echo = await start(SECRET);
    echo.injectAlways({ kind: 'status', status: 400, body: JSON.stringify({ text: `bad token ${SECRET}`, code: 99 }) });
    await exercise(echo.url);

    const busy = await start(SECRET);
    busy.injectAlways({ kind: 'html-502' });
    await exercise(busy.url);

    await exercise('http://127.0.0.1:1');

    const certificate = await selfSignedCertificate();
    const secure = await start(SECRET, certificate);
    await exercise(secure.url);
    await exercise(secure.url, { insecure: true });

    expect(seen.length).toBeGreaterThan(20);
    for (const text of seen) expect(text).not.toContain(SECRET);
  });

  test('hec-check output, on success and on failure, never shows it', async () => {
    const good = await start(SECRET);
    const bad = await start('another-token');
    for (const url of [good.url, bad.url, 'http://127.0.0.1:1']) {
      const { io, out, err } = capturedIo({ SPLUNK_HEC_TOKEN: SECRET });
      await runHecCheck({ 'hec-url': url, 'hec-timeout': 2 }, io);
      expect(out()).toContain('hec-check');
      expect(out() + err()).not.toContain(SECRET);
    }
  });
});
