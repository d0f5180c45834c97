import { z } from '../../shared/http/openapi';

const param = (name: string, example: string) =>
  z
    .string()
    .max(64)
    .openapi({ param: { name, in: 'path' }, example });

export const OrgParam = z.object({ orgId: param('orgId', 'org-abcdefghijklmnopqrst') });
export const MemberParam = OrgParam.extend({ userId: param('userId', 'usr-abcdefghijklmnopqrst') });
export const OrgInvitationParam = OrgParam.extend({
  invitationId: param('invitationId', 'inv-abcdefghijklmnopqrst'),
});
export const InvitationParam = z.object({ invitationId: param('invitationId', 'inv-abcdefghijklmnopqrst') });

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
