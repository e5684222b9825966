/** A self-signed certificate for 127.0.0.1 and localhost, made during the test (selfsigned v5 is async). */
import { generate } from 'selfsigned';

export interface TestCertificate {
  key: string;
  cert: string;
}

export async function selfSignedCertificate(): Promise<TestCertificate> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
