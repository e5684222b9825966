#!/usr/bin/env node
'use strict';
// Runs the test HEC receiver by hand and prints every indexed event as one JSON line on stdout
// (requests are summarized on stderr). Point `auth0-usage run --hec-url …` or `hec-check` at it.
//
//   node scripts/hec-receiver.js --port 8088 --token T [--index summary,main] [--ack] [--max-bytes N] [--tls]
//
// --tls serves HTTPS with a fresh self-signed certificate for 127.0.0.1/localhost and writes it to a
// file whose path is printed: pass that file to --hec-ca.
require('./ts-register');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { HecReceiver } = require('../test/support/hecReceiver.ts');
const { selfSignedCertificate } = require('../test/support/hecCertificate.ts');

const usage = 'usage: node scripts/hec-receiver.js --port 8088 --token T [--index a,b] [--ack] [--max-bytes N] [--tls]';

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '8088' },
        token: { type: 'string' },
        index: { type: 'string' },
        ack: { type: 'boolean', default: false },
        'max-bytes': { type: 'string' },
        tls: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${error.message}\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (!values.token) {
    process.stderr.write(`--token is required\n${usage}\n`);
    return 2;
  }
  const tls = values.tls ? await selfSignedCertificate() : undefined;
  const receiver = await HecReceiver.start({
    token: values.token,
    port: Number(values.port),
    tls,
    allowedIndexes: values.index ? values.index.split(',') : undefined,
    ack: values.ack ? {} : undefined,
    maxBodyBytes: values['max-bytes'] ? Number(values['max-bytes']) : undefined,
    onIndexed: (envelope) => process.stdout.write(`${JSON.stringify(envelope)}\n`),
    onRequest: (request) => process.stderr.write(`${request.method} ${request.path} ${request.rawBytes} bytes -> ${request.status || 'reset'} ${request.reply}\n`),
  });
  if (tls) {
    const caFile = path.join(os.tmpdir(), `hec-receiver-${receiver.port}.pem`);
    fs.writeFileSync(caFile, tls.cert);
    process.stderr.write(`certificate (use with --hec-ca): ${caFile}\n`);
  }
  process.stderr.write(`HEC receiver listening on ${receiver.url} (Ctrl-C to stop)\n`);
  await new Promise((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
  await receiver.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exitCode = 1;
  },
);
