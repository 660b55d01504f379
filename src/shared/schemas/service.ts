import { Type } from 'typebox';

export const Health = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false });
export const Ready = Type.Object(
  {
    ready: Type.Literal(true),
    schema_version: Type.Integer(),
    database: Type.Enum(['pglite', 'postgres']),
  },
  { additionalProperties: false },
);
