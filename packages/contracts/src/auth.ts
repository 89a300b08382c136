import { z } from "zod";

export const ROLES = ["user", "creator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const userSchema = z.object({
  id: z.string().uuid(),
  email: z.string(),
  username: z.string(),
  role: z.enum(ROLES),
  kycLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  frozen: z.boolean(),
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const registerBodySchema = z.object({
  email: z.string().trim().email().max(254),
  username: z
    .string()
    .trim()
    .min(3)
    .max(32)
    .regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, '_', '.' and '-' only"),
  password: z.string().min(8, "must be at least 8 characters").max(200),
  referralCode: z.string().max(64).optional(),
});
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const loginBodySchema = z.object({
  email: z.string().trim().max(254),
  password: z.string().max(200),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const refreshBodySchema = z.object({ refreshToken: z.string().min(1).max(512) });
export type RefreshBody = z.infer<typeof refreshBodySchema>;

export const sessionSchema = z.object({
  user: userSchema,
  accessToken: z.string(),
  refreshToken: z.string(),
});
export type Session = z.infer<typeof sessionSchema>;

export const tokenPairSchema = z.object({ accessToken: z.string(), refreshToken: z.string() });
export type TokenPair = z.infer<typeof tokenPairSchema>;

export const adminUserPatchSchema = z
  .object({
    role: z.enum(ROLES).optional(),
    kycLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
    frozen: z.boolean().optional(),
  })
  .strict();
export type AdminUserPatch = z.infer<typeof adminUserPatchSchema>;
