import { Type } from 'typebox';

/**
 * Request schemas of the inventory routes, for the OpenAPI document. Validation itself is done by
 * the domain parsers and the OData parser, so each failure carries its MDE error code (docs/adr/0003).
 */
export const ListQuery = Type.Object({
  $filter: Type.Optional(Type.String({ description: "OData filter, e.g. healthStatus eq 'Active' and deviceValue eq 'High'" })),
  $top: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  $skip: Type.Optional(Type.Integer({ minimum: 0 })),
  $select: Type.Optional(Type.String({ description: 'comma-separated property names' })),
  $orderby: Type.Optional(Type.String({ description: 'e.g. lastSeen desc' })),
  $count: Type.Optional(Type.Boolean()),
});

export const FindByTagQuery = Type.Object({
  tag: Type.String({ minLength: 1, maxLength: 200 }),
  useStartsWithFilter: Type.Optional(Type.Boolean({ description: 'prefix match; true/false in any case' })),
});

const Action = Type.Union([Type.Literal('Add'), Type.Literal('Remove')], { description: 'case-insensitive' });

export const TagBody = Type.Object(
  { Value: Type.String({ minLength: 1, maxLength: 200 }), Action },
  { description: 'Keys are case-sensitive' },
);

export const BulkTagBody = Type.Object(
  { Value: Type.String({ minLength: 1, maxLength: 200 }), Action, MachineIds: Type.Array(Type.String(), { maxItems: 500 }) },
  { description: 'At most 500 machines; every one must exist before anything is changed' },
);
