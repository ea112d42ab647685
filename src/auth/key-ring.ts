import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { SigningKeyRecord, SigningKeyStore } from '../domain/ports.js';
import type { Clock } from '../shared/clock.js';

type CryptoKeyLike = Awaited<ReturnType<typeof importJWK>>;

interface LoadedKey {
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly publicKey: CryptoKeyLike;
}

/**
 * The built-in authority's RS256 signing keys, kept in the store so tokens survive a restart
 * and every instance on one database signs and verifies with the same keys. Rotation adds a new
 * active key; older keys keep verifying the tokens they signed until those expire.
 */
export class KeyRing {
  private keys = new Map<string, LoadedKey>();
  private active: { kid: string; privateKey: CryptoKeyLike } | undefined;
  private lastReload = 0;
  private readonly listeners: ((kid: string) => void)[] = [];

  constructor(
    private readonly store: SigningKeyStore,
    private readonly clock: Clock,
  ) {}

  /** Loads the keys, creating the first one on a new database. */
  async init(): Promise<void> {
    await this.reload();
    if (!this.active) await this.rotate();
  }

  async rotate(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const record: SigningKeyRecord = {
      kid,
      publicJwk: JSON.stringify({ ...publicJwk, kid, use: 'sig', alg: 'RS256' }),
      privateJwk: JSON.stringify(await exportJWK(privateKey)),
      createdAt: new Date(this.clock.now()).toISOString(),
      active: true,
    };
    await this.store.putSigningKey(record);
    await this.reload();
    for (const listener of this.listeners) listener(kid);
    return kid;
  }

  /** Called after this instance rotated, so other instances can pick up the new key. */
  onRotate(listener: (kid: string) => void): void {
    this.listeners.push(listener);
  }

  /** Re-reads the keys (another instance rotated): sign with the new active key at once. */
  refresh(): Promise<void> {
    return this.reload();
  }

  signingKey(): { kid: string; privateKey: CryptoKeyLike } {
    if (!this.active) throw new Error('KeyRing.init() has not run');
    return this.active;
  }

  /** The verification key for a `kid`; an unknown kid triggers at most one reload a second. */
  async publicKey(kid: string): Promise<CryptoKeyLike | undefined> {
    const known = this.keys.get(kid);
    if (known) return known.publicKey;
    if (this.clock.now() - this.lastReload < 1000) return undefined;
    await this.reload();
    return this.keys.get(kid)?.publicKey;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  private async reload(): Promise<void> {
    this.lastReload = this.clock.now();
    const records = await this.store.listSigningKeys();
    const keys = new Map<string, LoadedKey>();
    for (const record of records) {
      const publicJwk = JSON.parse(record.publicJwk) as JWK;
      keys.set(record.kid, { kid: record.kid, publicJwk, publicKey: await importJWK(publicJwk, 'RS256') });
      if (record.active) this.active = { kid: record.kid, privateKey: await importJWK(JSON.parse(record.privateJwk) as JWK, 'RS256') };
    }
    this.keys = keys;
  }
}
