/**
 * The test receiver itself, driven with plain node:http requests: the sink tests are only as good as
 * its fidelity to HEC's protocol (Splunk's documented codes and reply bodies).
 */
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { HecReceiver } from './hecReceiver';
import { splitConcatenatedJson } from './hecConcatenatedJson';

const TOKEN = 'receiver-token';
const CHANNEL = '0f8a9c3e-5b7d-4e21-9a6f-3c2d1b0e4f5a';

interface Reply {
  status: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

function request(url: string, method: string, path: string, body: string | Buffer | undefined, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const auth = { Authorization: `Splunk ${TOKEN}` };
const post = (r: HecReceiver, body: string | Buffer, headers: Record<string, string> = auth) => request(r.url, 'POST', '/services/collector/event', body, headers);

describe('HecReceiver', () => {
  let receiver: HecReceiver;
  afterEach(async () => receiver.close());

  describe('authorization', () => {
    beforeEach(async () => {
      receiver = await HecReceiver.start({ token: TOKEN });
    });

    test.each([
      ['no Authorization header', {}, 401, { text: 'Token is required', code: 2 }],
      ['a header without the Splunk scheme', { Authorization: TOKEN }, 401, { text: 'Invalid authorization', code: 3 }],
      ['a Bearer header', { Authorization: `Bearer ${TOKEN}` }, 401, { text: 'Invalid authorization', code: 3 }],
      ['a wrong token', { Authorization: 'Splunk not-the-token' }, 403, { text: 'Invalid token', code: 4 }],
    ])('%s is refused', async (_name, headers, status, body) => {
      const reply = await post(receiver, '{"event":"x"}', headers as Record<string, string>);
      expect(reply.status).toBe(status);
      expect(reply.body).toEqual(body);
      expect(receiver.indexed).toEqual([]);
    });

    test('Basic auth with the token as password is accepted', async () => {
      const basic = Buffer.from(`x:${TOKEN}`).toString('base64');
      const reply = await post(receiver, '{"event":"x"}', { Authorization: `Basic ${basic}` });
      expect(reply).toMatchObject({ status: 200, body: { text: 'Success', code: 0 } });
    });
  });

  describe('event batches', () => {
    beforeEach(async () => {
      receiver = await HecReceiver.start({ token: TOKEN, allowedIndexes: ['summary'], maxBodyBytes: 200 });
    });

    test('concatenated envelopes with and without whitespace are indexed in order', async () => {
      const reply = await post(receiver, '{"event":{"n":1}}{"event":{"n":2}}\n  {"event":"three","time":1709251200.5}');
      expect(reply).toMatchObject({ status: 200, body: { code: 0 } });
      expect(receiver.events()).toEqual([{ event: { n: 1 } }, { event: { n: 2 } }, { event: 'three', time: 1709251200.5 }]);
    });

    test('a gzip body is unpacked', async () => {
      const reply = await post(receiver, gzipSync('{"event":"a"}{"event":"b"}'), { ...auth, 'Content-Encoding': 'gzip' });
      expect(reply.status).toBe(200);
      expect(receiver.events()).toEqual([{ event: 'a' }, { event: 'b' }]);
    });

    test('an empty body is code 5', async () => {
      expect(await post(receiver, '  ')).toMatchObject({ status: 400, body: { text: 'No data', code: 5 } });
    });

    test.each([
      ['unparseable JSON', '{"event":"a"}{"event":"b"}{"event":', 2, 6, 'Invalid data format'],
      ['a missing event field', '{"event":"a"}{"time":1}', 1, 12, 'Event field is required'],
      ['a blank event', '{"event":"a"}{"event":"b"}{"event":"  "}{"event":"d"}', 2, 13, 'Event field cannot be blank'],
      ['a time that is not a number', '{"event":"a"}{"event":"b","time":null}', 1, 6, 'Invalid data format'],
      ['an index outside the allow-list', '{"event":"a","index":"summary"}{"event":"b","index":"main"}', 1, 7, 'Incorrect index'],
      ['nested indexed fields', '{"event":"a","fields":{"k":{"x":1}}}', 0, 15, 'Error in handling indexed fields'],
    ])('%s: refused with invalid-event-number, the events before it indexed', async (_name, body, at, code, text) => {
      const reply = await post(receiver, body);
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ text, code, 'invalid-event-number': at });
      expect(receiver.indexed).toHaveLength(at);
    });

    test('a body over the size limit is 413 and nothing is indexed', async () => {
      const big = `{"event":"${'x'.repeat(190)}"}`;
      const reply = await post(receiver, big);
      expect(reply.status).toBe(413);
      expect(receiver.indexed).toEqual([]);
    });

    test('every request is recorded with its headers', async () => {
      await post(receiver, '{"event":"a"}', { ...auth, 'X-Test': 'yes' });
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/services/collector/event', status: 200, body: '{"event":"a"}' });
      expect(receiver.requests[0]!.headers['x-test']).toBe('yes');
    });
  });

  describe('health', () => {
    test('answers code 17, or 18 when unhealthy', async () => {
      receiver = await HecReceiver.start({ token: TOKEN });
      expect(await request(receiver.url, 'GET', '/services/collector/health', undefined)).toMatchObject({ status: 200, body: { text: 'HEC is healthy', code: 17 } });
      receiver.unhealthy = true;
      expect(await request(receiver.url, 'GET', '/services/collector/health/1.0', undefined)).toMatchObject({
        status: 503,
        body: { text: 'HEC is unhealthy, queues are full', code: 18 },
      });
    });
  });

  describe('channels and acknowledgement', () => {
    test('with ack on, an event POST without a channel is code 10 and a bad channel code 11', async () => {
      receiver = await HecReceiver.start({ token: TOKEN, ack: {} });
      expect(await post(receiver, '{"event":"a"}')).toMatchObject({ status: 400, body: { text: 'Data channel is missing', code: 10 } });
      expect(await post(receiver, '{"event":"a"}', { ...auth, 'X-Splunk-Request-Channel': 'not-a-guid' })).toMatchObject({ status: 400, body: { code: 11 } });
      expect(receiver.indexed).toEqual([]);
    });

    test('with ack off, an ack query is code 14', async () => {
      receiver = await HecReceiver.start({ token: TOKEN });
      const reply = await request(receiver.url, 'POST', '/services/collector/ack', '{"acks":[0]}', { ...auth, 'X-Splunk-Request-Channel': CHANNEL });
      expect(reply).toMatchObject({ status: 400, body: { text: 'ACK is disabled', code: 14 } });
    });

    test('ackIds count up per channel and turn true after the configured number of queries', async () => {
      receiver = await HecReceiver.start({ token: TOKEN, ack: { falseForQueries: 1 } });
      const headers = { ...auth, 'X-Splunk-Request-Channel': CHANNEL };
      expect((await post(receiver, '{"event":"a"}', headers)).body).toEqual({ text: 'Success', code: 0, ackId: 0 });
      expect((await post(receiver, '{"event":"b"}', headers)).body).toEqual({ text: 'Success', code: 0, ackId: 1 });
      const query = () => request(receiver.url, 'POST', '/services/collector/ack', '{"acks":[0,1,7]}', headers);
      expect((await query()).body).toEqual({ acks: { '0': false, '1': false, '7': false } });
      expect((await query()).body).toEqual({ acks: { '0': true, '1': true, '7': false } });
      expect(receiver.indexed.map((e) => e.ackId)).toEqual([0, 1]);
    });

    test('neverAckFirst keeps the first ackIds false for good', async () => {
      receiver = await HecReceiver.start({ token: TOKEN, ack: { neverAckFirst: 1 } });
      const headers = { ...auth, 'X-Splunk-Request-Channel': CHANNEL };
      await post(receiver, '{"event":"a"}', headers);
      await post(receiver, '{"event":"b"}', headers);
      for (let i = 0; i < 3; i++) {
        expect((await request(receiver.url, 'POST', '/services/collector/ack', '{"acks":[0,1]}', headers)).body).toEqual({ acks: { '0': false, '1': true } });
      }
    });
  });

  describe('faults', () => {
    beforeEach(async () => {
      receiver = await HecReceiver.start({ token: TOKEN });
    });

    test('busy, internal error and HTML 502 are answered in turn, then normal service', async () => {
      receiver.inject({ kind: 'busy', retryAfterSeconds: 7 });
      receiver.inject({ kind: 'internal-error' });
      receiver.inject({ kind: 'html-502' });
      const busy = await post(receiver, '{"event":"a"}');
      expect(busy).toMatchObject({ status: 503, body: { text: 'Server is busy', code: 9 } });
      expect(busy.headers['retry-after']).toBe('7');
      expect(await post(receiver, '{"event":"a"}')).toMatchObject({ status: 500, body: { code: 8 } });
      const html = await post(receiver, '{"event":"a"}');
      expect(html.status).toBe(502);
      expect(html.headers['content-type']).toBe('text/html');
      expect(String(html.body)).toContain('502 Bad Gateway');
      expect(receiver.indexed).toEqual([]);
      expect(await post(receiver, '{"event":"a"}')).toMatchObject({ status: 200 });
      expect(receiver.indexed).toHaveLength(1);
    });

    test('reset closes the connection without a reply', async () => {
      receiver.inject({ kind: 'reset' });
      await expect(post(receiver, '{"event":"a"}')).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(receiver.indexed).toEqual([]);
    });

    test('reset-after-index indexes the batch, then closes the connection without a reply', async () => {
      receiver.inject({ kind: 'reset-after-index' });
      await expect(post(receiver, '{"event":"a"}{"event":"b"}')).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(receiver.events().map((e) => e.event)).toEqual(['a', 'b']);
    });

    test('refuse-event refuses the event at its position as HEC does: those before it indexed, the rest not read', async () => {
      receiver.inject({ kind: 'refuse-event', at: 1, code: 6 });
      expect(await post(receiver, '{"event":"a"}{"event":"b"}{"event":"c"}')).toMatchObject({ status: 400, body: { code: 6, text: 'Invalid data format', 'invalid-event-number': 1 } });
      expect(receiver.events().map((e) => e.event)).toEqual(['a']);
    });

    test('slow indexes the events before it replies', async () => {
      await receiver.close();
      let replied = false;
      const indexedBeforeReply: boolean[] = [];
      receiver = await HecReceiver.start({ token: TOKEN, onIndexed: () => indexedBeforeReply.push(!replied) });
      receiver.inject({ kind: 'slow', delayMs: 50 });
      const reply = await post(receiver, '{"event":"a"}');
      replied = true;
      expect(reply.status).toBe(200);
      expect(indexedBeforeReply).toEqual([true]);
    });
  });
});

describe('splitConcatenatedJson', () => {
  test('braces and quotes inside strings do not end an object', () => {
    expect(splitConcatenatedJson('{"a":"}{"} {"b":"\\"}"}').values).toEqual([{ a: '}{' }, { b: '"}' }]);
  });

  test('a top-level value that is not an object is unreadable', () => {
    expect(splitConcatenatedJson('{"a":1}[1]')).toEqual({ values: [{ a: 1 }], invalidAt: 1 });
  });
});
