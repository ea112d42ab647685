import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateTenantDocument } from '../domain/identity/tenant-document-schema.js';
import type { TenantDocument } from '../domain/identity/tenant-document.js';
import { ConfigError } from './load-config.js';

const EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

/**
 * Reads and validates tenant files (JSON or YAML). A folder means every such file in it, in name
 * order. The first problem stops start-up with one line naming the file and the field.
 */
export function readTenantFiles(paths: readonly string[]): TenantDocument[] {
  return expand(paths).map(readTenantFile);
}

export function readTenantFile(path: string): TenantDocument {
  const result = validateTenantDocument(readDocumentFile(path, 'tenant file'));
  if (!result.ok) throw new ConfigError(`tenant file ${path}: ${result.error}`);
  return result.document;
}

/**
 * A JSON (`.json`) or YAML (anything else) file's data, unvalidated; a file that cannot be read or
 * parsed is one ConfigError line naming it as `what` (tenant files, the CLI's rules files).
 */
export function readDocumentFile(path: string, what: string): unknown {
  try {
    const text = readFileSync(path, 'utf8');
    return extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${what} ${path}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

function expand(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      throw new ConfigError(`tenant file ${path}: no such file or folder`);
    }
    if (!isFolder) return [path];
    return readdirSync(path)
      .filter((name) => EXTENSIONS.has(extname(name)))
      .sort()
      .map((name) => join(path, name));
  });
}
