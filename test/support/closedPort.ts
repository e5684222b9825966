import net from 'node:net';

/** A loopback port nothing listens on: taken free, then closed, so connections to it are refused. */
export async function closedLoopbackPort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
