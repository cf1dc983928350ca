// The workflows routes' contract in zod: the routes validate with it and OpenAPI is generated from it. Pure.
import { z } from 'zod';

export const transitionsParams = z.object({
  collection: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a collection name')
    .meta({ description: 'A collection with a workflow.', example: 'tickets' }),
  id: z.string().min(1).max(128).meta({ description: "The item's primary key." }),
});

export const allowedTransitions = z
  .object({
    data: z.object({
      collection: z.string(),
      item: z.string(),
      state: z.string(),
      transitions: z.array(z.object({ name: z.string(), to: z.string() })),
      blocked: z.array(z.object({ name: z.string(), to: z.string(), reason: z.string() })),
    }),
  })
  .meta({
    example: {
      data: {
        collection: 'tickets',
        item: '6f1c0d3e-6a9e-4d8e-9a38-3b1c5e0b6f2a',
        state: 'solved',
        transitions: [],
        blocked: [{ name: 'reopen', to: 'open', reason: 'a customer may reopen a ticket only within 7 days' }],
      },
    },
  });
