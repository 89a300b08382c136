import { z } from "zod";

/** A demo account the sign-in screen may offer as a one-click fill (embedded mode only). */
export const demoAccountSchema = z.object({ email: z.string(), username: z.string(), password: z.string() });
export type DemoAccount = z.infer<typeof demoAccountSchema>;

/** `GET /api/meta`: how this deployment runs, and the demo accounts seeded on it (empty when scaled out). */
export const metaSchema = z.object({
  mode: z.enum(["embedded", "scaled"]),
  demoUsers: z.array(demoAccountSchema),
});
export type Meta = z.infer<typeof metaSchema>;
