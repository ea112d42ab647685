import { generateKeyPair, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  readonly certificate: string;
  readonly privateKey: string;
}

const DAY_MS = 86_400_000;
/** What browsers and Apple's TLS stack accept for a server certificate (398 days at most). */
const SERVER_DAYS = 397;
const CA_YEARS = 10;

const rsaKeyPair = promisify(generateKeyPair);

/** Fresh RSA-2048 keys from Node's crypto (forge's own generator is slow pure JavaScript). */
async function newKeys(): Promise<{ publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey; privatePem: string }> {
  const { publicKey, privateKey } = await rsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey, privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, privatePem: privateKey };
}

/** A positive serial number of 16 random bytes (RFC 5280: unique per issuer, at most 20 octets). */
const serialNumber = (): string => `7${randomBytes(15).toString('hex')}`;

/**
 * A local certificate authority: self-signed, `CA:TRUE` with a path length of 0 (it signs server
 * certificates only), key usage limited to signing certificates and CRLs, valid ten years. Each
 * one names itself with a random suffix, so two installations' CAs are never confused in a trust
 * store.
 */
export async function createCertificateAuthority(now: Date = new Date()): Promise<KeyPair> {
  const keys = await newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + CA_YEARS * 365 * DAY_MS);
  const name = [
    { name: 'commonName', value: `Rampart local CA ${randomBytes(4).toString('hex')}` },
    { name: 'organizationName', value: 'Rampart (local development)' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certificate: pem(cert), privateKey: keys.privatePem };
}

/**
 * A server certificate signed by the CA for every name given (DNS names and IP addresses, in the
 * subject alternative names, which is all clients check), for TLS server authentication only.
 * It lives in memory: a new one is issued at each start.
 */
export async function issueServerCertificate(ca: KeyPair, names: readonly string[], now: Date = new Date()): Promise<KeyPair> {
  const issuer = forge.pki.certificateFromPem(ca.certificate);
  const caKey = forge.pki.privateKeyFromPem(ca.privateKey) as forge.pki.rsa.PrivateKey;
  const keys = await newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + SERVER_DAYS * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: names[0] ?? 'localhost' }]);
  cert.setIssuer(issuer.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    { name: 'subjectKeyIdentifier' },
    // Strict verifiers (Python 3.13's default context) want the issuer's key id in the leaf.
    { name: 'authorityKeyIdentifier', keyIdentifier: issuer.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certificate: pem(cert), privateKey: keys.privatePem };
}

/** forge writes CRLF; the rest of the world (and the files Rampart writes) use LF. */
const pem = (cert: forge.pki.Certificate): string => forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
