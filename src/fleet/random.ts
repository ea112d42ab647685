// A small seeded generator and helpers for the fleet: deterministic, fast, no crypto per machine.


// Byte-to-hex table: string building dominates the cost of a million machines, so avoid toString(16).
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * sfc32 seeded through splitmix32: 128 bits of state, so consecutive outputs are not a function of
 * one 32-bit word (as with mulberry32) and 128-bit random ids do not collide by construction.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.uint32(); // let the seed's bits diffuse through the state
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** The whole state, so that a stream can be resumed later from this point (fleets in id order). */
  state(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }

  static fromState(state: ArrayLike<number>): Random {
    const random = new Random(0);
    [random.a, random.b, random.c, random.d] = [state[0] ?? 0, state[1] ?? 0, state[2] ?? 0, state[3] ?? 0];
    return random;
  }

  next(): number {
    return this.uint32() / 4294967296;
  }

  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) {
      out += hexOfU32(this.uint32());
    }
    return out.length === length ? out : out.slice(0, length);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A lowercase version-4 GUID, the form Entra ID and Azure use. */
  guid(): string {
    const h = this.hex(32);
    const variant = '89ab'[this.uint32() & 3]!;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
  }
}

/** A weighted choice; weights need not sum to 1. */
export type Weighted<T> = readonly (readonly [T, number])[];
export function weighted<T>(random: Random, table: Weighted<T>): T {
  let total = 0;
  for (const [, w] of table) total += w;
  let r = random.next() * total;
  for (const [value, w] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return table[table.length - 1]![0];
}

export function hexOfU32(w: number): string {
  return HEX[w >>> 24]! + HEX[(w >>> 16) & 255]! + HEX[(w >>> 8) & 255]! + HEX[w & 255]!;
}

/** murmur3's finaliser: a bijection on 32 bits, so distinct indexes always give distinct id prefixes. */
export function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
