import net from 'node:net';

// A port for a server a test starts in another process (the desk, Dovecot). Port 0 would be safest, but the child
// must be told its port up front. An ephemeral port (what listen(0) hands out) is also what the kernel gives every
// outgoing connection, so between our probe and the child's listen a parallel test's client may take it (seen in CI
// as EADDRINUSE on the SMTP intake). Ports below Linux's ephemeral range (32768–60999) are never handed out that way;
// a random one that binds now is free unless another test picks the same one in the same instant.
const LOW = 20_000;
const HIGH = 32_000;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free TCP port on 127.0.0.1 outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH} on 127.0.0.1`);
}
