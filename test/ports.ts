import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The kernel's ephemeral range, from which it picks the port of any `listen(0)`. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    if (low && high) return [Number(low), Number(high)];
  } catch {
    // Not Linux: the range most kernels use.
  }
  return [32768, 60999];
}

const tryListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A free loopback port, for servers whose URL must be known before they start. Chosen below the ephemeral range:
 * a port the kernel handed out and took back could go to the next `listen(0)` (an emulator started before the
 * server that needed this port), and the server would then fail with EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const floor = Math.max(1024, low - 12_000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if (await tryListen(port)) return port;
  }
  throw new Error(`aucun port libre entre ${floor} et ${low}`);
}
