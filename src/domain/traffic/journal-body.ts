/** How much of a request body the journal keeps: enough to see what a client sent. */
export const JOURNAL_BODY_LIMIT = 4096;

export const REDACTED = '[redacted]';

/** Keys whose values never reach the journal: client secrets, passwords, assertions, tokens. */
const SECRET_KEY = /secret|password|assertion|authorization|token$/i;

/**
 * A request body as the journal shows it: JSON, secrets redacted, at most `limit` characters
 * (then ending in "…"). It walks the parsed body and stops writing once the limit is reached, so
 * the cost is bounded by the limit, not by the body: this runs on every journaled call with a
 * body, and the write path is benchmarked. Null when the call had no body.
 */
export function journalBody(body: unknown, limit = JOURNAL_BODY_LIMIT): string | null {
  if (body === undefined || body === null) return null;
  const out = new BoundedText(limit);
  if (typeof body === 'string') out.write(redactFormText(body.slice(0, limit + 1)));
  else write(body, out, 0);
  return out.text();
}

/** A form-encoded or plain-text body: `client_secret=...` pairs lose their values. */
const redactFormText = (text: string): string =>
  text.replace(/((?:^|&)[^=&]*(?:secret|password|assertion|authorization|token)=)[^&]*/gi, (_m, key: string) => `${key}${REDACTED}`);

class BoundedText {
  private readonly parts: string[] = [];
  private length = 0;
  full = false;

  constructor(private readonly limit: number) {}

  write(text: string): void {
    if (this.full) return;
    if (this.length + text.length > this.limit) {
      this.parts.push(text.slice(0, this.limit - this.length));
      this.full = true;
      return;
    }
    this.parts.push(text);
    this.length += text.length;
  }

  text(): string {
    return this.full ? `${this.parts.join('')}…` : this.parts.join('');
  }
}

/** Depth past which nesting is shown as "…": a hostile body cannot make the walk deep. */
const DEEPEST = 16;

function write(value: unknown, out: BoundedText, depth: number): void {
  if (out.full) return;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return out.write(String(value));
  // Only the part that can still be shown is quoted: a megabyte string costs what 4 KB does.
  if (typeof value === 'string') return out.write(JSON.stringify(value.length > JOURNAL_BODY_LIMIT ? value.slice(0, JOURNAL_BODY_LIMIT) : value));
  if (typeof value !== 'object') return out.write('null');
  if (depth >= DEEPEST) return out.write('"…"');
  if (Array.isArray(value)) {
    out.write('[');
    for (let i = 0; i < value.length && !out.full; i++) {
      if (i > 0) out.write(',');
      write(value[i], out, depth + 1);
    }
    return out.write(']');
  }
  out.write('{');
  let first = true;
  for (const key in value) {
    if (out.full) return;
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (!first) out.write(',');
    first = false;
    out.write(`${JSON.stringify(key)}:`);
    if (SECRET_KEY.test(key)) out.write(JSON.stringify(REDACTED));
    else write((value as Record<string, unknown>)[key], out, depth + 1);
  }
  out.write('}');
}
