import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sharedSecret } from '../cluster/shared-secrets.js';
import type { Config } from '../config/settings.js';
import { storeLocation } from '../store/open-store.js';
import { connectKysely } from '../store/postgres/pool.js';
import { createCertificateAuthority, type KeyPair } from './certificate-authority.js';

/** The public certificate, for clients to trust; the private file (mode 600) holds key and certificate. */
export const CA_CERTIFICATE_FILE = 'ca.pem';
const CA_PRIVATE_FILE = 'ca-key.pem';
const SHARED_NAME = 'tls-ca';

export interface LocalCa {
  readonly ca: KeyPair;
  /** Absolute path of the CA certificate (public; never the key). */
  readonly certificatePath: string;
}

/**
 * The local certificate authority, created once: in the data folder for one instance, in the
 * database (`shared_secrets`) when several share PostgreSQL, so every instance's certificates
 * chain to the one CA clients trust. Its private key stays there: only the certificate is ever
 * written anywhere else (`<data-dir>/ca.pem`, so it has a path to print).
 */
export async function loadOrCreateCa(config: Config): Promise<LocalCa> {
  const location = storeLocation(config);
  const ca = location.kind === 'postgres' ? await fromDatabase(location.url) : await fromFolder(config.dataDir);
  return { ca, certificatePath: writeCertificate(config.dataDir, ca.certificate) };
}

async function fromDatabase(url: string): Promise<KeyPair> {
  const db = connectKysely(url, 1);
  try {
    const stored = await sharedSecret(db, SHARED_NAME, async () => JSON.stringify(await createCertificateAuthority()));
    return parsePair(stored, 'the database');
  } finally {
    await db.destroy();
  }
}

/** Created in a temporary file and linked into place, so two processes on one folder agree on one CA. */
async function fromFolder(dataDir: string): Promise<KeyPair> {
  const file = join(dataDir, CA_PRIVATE_FILE);
  if (!existsSync(file)) {
    const ca = await createCertificateAuthority();
    mkdirSync(dataDir, { recursive: true });
    const temporary = `${file}.${randomBytes(6).toString('hex')}`;
    writeFileSync(temporary, `${ca.privateKey}${ca.certificate}`, { mode: 0o600 });
    try {
      linkSync(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
  const text = readFileSync(file, 'utf8');
  return parsePair(JSON.stringify({ privateKey: pemBlock(text, 'PRIVATE KEY'), certificate: pemBlock(text, 'CERTIFICATE') }), file);
}

function writeCertificate(dataDir: string, certificate: string): string {
  const path = resolve(dataDir, CA_CERTIFICATE_FILE);
  if (existsSync(path) && readFileSync(path, 'utf8') === certificate) return path;
  mkdirSync(dataDir, { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}`;
  writeFileSync(temporary, certificate, { mode: 0o644 });
  renameSync(temporary, path);
  return path;
}

const pemBlock = (text: string, label: string): string => new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----\\n?`).exec(text)?.[0] ?? '';

function parsePair(json: string, where: string): KeyPair {
  const pair = JSON.parse(json) as Partial<KeyPair>;
  if (!pair.certificate?.includes('BEGIN CERTIFICATE') || !pair.privateKey?.includes('PRIVATE KEY')) {
    throw new Error(`the local certificate authority in ${where} is damaged; remove it and Rampart makes a new one`);
  }
  return { certificate: pair.certificate, privateKey: pair.privateKey };
}
