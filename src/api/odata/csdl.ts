/**
 * The OData v4 CSDL (`$metadata`) of the entities Rampart serves, generated from the wire
 * schemas that serialise them (src/api/wire): a property added to an entity's JSON is declared
 * here without anyone remembering to, in the same order (test/metadata.test.ts holds it to a
 * live GET). Types: string -> Edm.String (Edm.DateTimeOffset with format date-time), integer ->
 * Edm.Int64, boolean -> Edm.Boolean, objects -> complex types named by their schema's title,
 * arrays -> Collection(...), a `null` branch -> Nullable="true".
 */

/** A JSON Schema as the TypeBox wire schemas are, read only as far as CSDL needs. */
interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly title?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly const?: unknown;
}

export interface EntitySetDefinition {
  /** The entity set, as `@odata.context` names it: `Machines`. */
  readonly set: string;
  /** The entity type: `Machine`. */
  readonly type: string;
  /** The wire schema of one entity, without `@odata.context`; property order is wire order. */
  readonly schema: object;
  readonly key: string;
}

export const NAMESPACE = 'microsoft.windowsDefenderATP.api';
const CONTAINER = 'WindowsDefenderATP';

interface Edm {
  readonly type: string;
  readonly nullable: boolean;
}

/** Builds the EDMX document; complex types are declared once each, in the order first met. */
export function csdlDocument(entities: readonly EntitySetDefinition[]): string {
  const complex = new Map<string, string>();
  const entityTypes = entities.map((e) => {
    const properties = propertiesOf(e.schema as JsonSchema, e.type, complex);
    return [`      <EntityType Name="${e.type}">`, `        <Key><PropertyRef Name="${e.key}"/></Key>`, ...properties, '      </EntityType>'].join('\n');
  });
  const sets = entities.map((e) => `        <EntitySet Name="${e.set}" EntityType="${NAMESPACE}.${e.type}"/>`);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    '  <edmx:DataServices>',
    `    <Schema Namespace="${NAMESPACE}" xmlns="http://docs.oasis-open.org/odata/ns/edm">`,
    ...entityTypes,
    ...complex.values(),
    `      <EntityContainer Name="${CONTAINER}">`,
    ...sets,
    '      </EntityContainer>',
    '    </Schema>',
    '  </edmx:DataServices>',
    '</edmx:Edmx>',
    '',
  ].join('\n');
}

function propertiesOf(schema: JsonSchema, owner: string, complex: Map<string, string>): string[] {
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const edm = edmOf(property, `${owner}.${name}`, complex);
    return `        <Property Name="${name}" Type="${edm.type}" Nullable="${edm.nullable}"/>`;
  });
}

function edmOf(schema: JsonSchema, where: string, complex: Map<string, string>): Edm {
  if (schema.anyOf) {
    const branches = schema.anyOf.filter((b) => !isNull(b));
    const nullable = branches.length < schema.anyOf.length;
    // A union of string literals (an enumeration on the wire) is a string.
    if (branches.every((b) => typeof b.const === 'string')) return { type: 'Edm.String', nullable };
    if (branches.length !== 1 || !branches[0]) throw new Error(`${where}: no CSDL type for a union`);
    return { ...edmOf(branches[0], where, complex), nullable };
  }
  if (typeof schema.const === 'string') return { type: 'Edm.String', nullable: false };
  const types = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
  const nullable = types.includes('null');
  const type = types.find((t) => t !== 'null');
  switch (type) {
    case undefined:
      // Always null on the wire (a MachineAction's title): a string the service never fills.
      if (nullable) return { type: 'Edm.String', nullable: true };
      break;
    case 'string':
      return { type: schema.format === 'date-time' ? 'Edm.DateTimeOffset' : 'Edm.String', nullable };
    case 'integer':
      return { type: 'Edm.Int64', nullable };
    case 'number':
      return { type: 'Edm.Double', nullable };
    case 'boolean':
      return { type: 'Edm.Boolean', nullable };
    case 'array':
      if (!schema.items) break;
      return { type: `Collection(${edmOf(schema.items, `${where}[]`, complex).type})`, nullable: false };
    case 'object':
      return { type: complexType(schema, where, complex), nullable };
  }
  throw new Error(`${where}: no CSDL type for ${JSON.stringify(schema)}`);
}

function complexType(schema: JsonSchema, where: string, complex: Map<string, string>): string {
  const name = schema.title;
  if (!name) throw new Error(`${where}: an object on the wire needs a title to name its complex type`);
  if (!complex.has(name)) {
    complex.set(name, ''); // claimed first: a type that contains itself terminates
    complex.set(name, [`      <ComplexType Name="${name}">`, ...propertiesOf(schema, name, complex), '      </ComplexType>'].join('\n'));
  }
  return `${NAMESPACE}.${name}`;
}

const isNull = (schema: JsonSchema): boolean => schema.type === 'null';
