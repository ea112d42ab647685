/**
 * Raw conversations with Rampart's forward proxy, for tests that must see exactly what it answers:
 * a CONNECT (and, when it is accepted, TLS over the same socket), or arbitrary bytes. Every
 * connection goes to the test server on 127.0.0.1 and is bounded in time.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

const DEADLINE_MS = 10_000;

export interface ProxyReply {
  /** Status line and headers, as sent. */
  readonly head: string;
  readonly status: number;
  header(name: string): string | undefined;
  /** What followed the head before the proxy closed (a refusal's body), or '' for an open tunnel. */
  readonly body: string;
}

function parse(head: string, body: string): ProxyReply {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map(lines.filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
  return { head, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), header: (n) => headers.get(n.toLowerCase()), body };
}

/** Opens a connection to the proxy and sends `bytes`; resolves with what came back once the head arrived (and, if the proxy closed, the rest). */
export function sendToProxy(proxyBase: string, bytes: string | Buffer): Promise<{ reply: ProxyReply; socket: Socket }> {
  const url = new URL(proxyBase);
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: url.hostname, port: Number(url.port) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from the proxy to ${String(bytes).slice(0, 80)}`));
    }, DEADLINE_MS);
    let received = Buffer.alloc(0);
    const finish = (closed: boolean) => {
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0 && !closed) return;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      const head = end < 0 ? text : text.slice(0, end);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      // An accepted CONNECT leaves the socket open for TLS; a refusal's body runs to the close.
      if (status === 200 || closed || end < 0) resolve({ reply: parse(head, end < 0 ? '' : text.slice(end + 4)), socket });
      else socket.once('close', () => resolve({ reply: parse(head, received.toString('utf8').slice(end + 4)), socket }));
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      finish(false);
    });
    socket.once('close', () => finish(true));
    socket.once('error', () => finish(true));
    socket.write(bytes);
  });
}

/** `CONNECT target HTTP/1.1` with a Host header, as clients send it. */
export const connectRequest = (target: string): string => `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`;

/** TLS over an accepted tunnel, as a client would start it; `ca` undefined means the client trusts only the usual roots. */
export function startTls(socket: Socket, servername: string, ca: string | undefined): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({ socket, servername, ...(ca === undefined ? {} : { ca }), ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => {
      tls.destroy();
      reject(new Error('TLS handshake timed out'));
    }, DEADLINE_MS);
    tls.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(tls);
    });
    tls.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** One HTTP/1.1 request on an open (TLS) socket; resolves with the raw answer once the server closes it. */
export function requestOver(socket: Socket | TLSSocket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer over the tunnel'));
    }, DEADLINE_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.write(request);
  });
}
