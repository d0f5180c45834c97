import { idParam } from '../../shared/http/openapi';
import * as z from '../../shared/http/zod';

export const OrgParam = z.object({ orgId: idParam('orgId', 'org') });
export const MemberParam = OrgParam.extend({ userId: idParam('userId', 'usr') });
export const OrgInvitationParam = OrgParam.extend({
  invitationId: idParam('invitationId', 'inv'),
});
export const InvitationParam = z.object({ invitationId: idParam('invitationId', 'inv') });

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
