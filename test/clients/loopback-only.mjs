/**
 * Preloaded (`node --import`) into every client process the drop-in tests start: a DNS lookup
 * of, or a connection to, anything but the loopback address throws. A library that would talk
 * to Microsoft for real (instance discovery, a proxy it ignored) fails the test instead.
 */
import dns from 'node:dns';
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const refuse = (what) => {
  throw new Error(`loopback-only guard: refused ${what}`);
};

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, ...rest) {
  if (!LOOPBACK.has(String(hostname))) refuse(`a DNS lookup of ${hostname}`);
  return lookup.call(this, hostname, ...rest);
};
const promisedLookup = dns.promises.lookup;
dns.promises.lookup = function guardedPromisedLookup(hostname, ...rest) {
  if (!LOOPBACK.has(String(hostname))) return Promise.reject(new Error(`loopback-only guard: refused a DNS lookup of ${hostname}`));
  return promisedLookup.call(this, hostname, ...rest);
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const [first, second] = Array.isArray(args[0]) ? args[0] : args;
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: typeof second === 'string' ? second : undefined };
  if (options.path === undefined && !LOOPBACK.has(String(options.host ?? 'localhost'))) refuse(`a connection to ${options.host}:${options.port}`);
  return connect.apply(this, args);
};
