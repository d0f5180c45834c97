import * as z from '../../shared/http/zod';

export const Role = z.enum(['admin', 'member']);
export const OrgName = z.string().trim().min(1).max(100);

export const OrganizationSchema = z
  .object({ id: z.string(), name: z.string(), personal: z.boolean(), createdAt: z.string(), role: Role })
  .openapi('Organization');

export const InvitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: Role,
    status: z.literal('pending'),
    expiresAt: z.string(),
  })
  .openapi('Invitation');

export const MemberSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    displayName: z.string(),
    role: Role,
    joinedAt: z.string(),
  })
  .openapi('OrganizationMember');
