import { S3StateStorage } from '../../../src/state/s3StateStorage';
import { StateIoError } from '../../../src/state/stateErrors';
import { startS3Server, type S3TestServer } from '../../support/s3Server';
import { closedLoopbackPort } from '../../support/closedPort';
import { rejectionOf } from '../../support/rejectionOf';

// What an operator reads when the state's S3 fails: one line naming the state file, the cause and what to check.
let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server({ buckets: ['usage-state'] });
}, 60_000);
afterAll(() => server.stop());

test('an endpoint nothing listens on: names the endpoint and what to check, not a bare connect error', async () => {
  const endpoint = `http://127.0.0.1:${await closedLoopbackPort()}`;
  const storage = new S3StateStorage('s3://usage-state/nightly/', {
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-used-secret-0123456789' },
  });
  const err = await rejectionOf(storage.read('manifest.json'));
  expect(err).toBeInstanceOf(StateIoError);
  expect(err.message).toBe(
    `reading s3://usage-state/nightly/manifest.json failed: cannot reach ${endpoint}: ECONNREFUSED; check --s3-endpoint / AWS_ENDPOINT_URL_S3 and the network`,
  );
});

test('a wrong secret: the error name and status, and never the secret or the signature', async () => {
  const secret = 'wrong-secret-ABCDEFGHIJKLMNOPQRSTUV';
  const storage = new S3StateStorage('s3://usage-state/nightly/', {
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: secret },
  });
  const err = await rejectionOf(storage.write('manifest.json', Buffer.from('{}')));
  expect(err).toBeInstanceOf(StateIoError);
  expect(err.message).toMatch(/^writing s3:\/\/usage-state\/nightly\/manifest\.json failed: HTTP 403 SignatureDoesNotMatch: /);
  expect(err.message).not.toContain(secret);
  expect(err.message.length).toBeLessThan(400);
});
