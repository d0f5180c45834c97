import { authenticate, csrfProtection, signedInApi } from '../../shared/auth/middleware';
import { type AppOptions, createApp } from '../../shared/http/app';
import { mountOperations } from '../../shared/http/openapi';
import type { OrganizationsDeps } from './deps';
import { answerInvitationPageOperation } from './routes/answer-invitation-page';
import { auditLogOperation } from './routes/audit-log';
import { cancelInvitationOperation } from './routes/cancel-invitation';
import { createOrganizationOperation } from './routes/create-organization';
import { deleteOrganizationOperation } from './routes/delete-organization';
import { getOrganizationOperation } from './routes/get-organization';
import { invitationPageOperation } from './routes/invitation-page';
import { inviteOperation } from './routes/invite';
import { listMembersOperation } from './routes/list-members';
import { listMyInvitationsOperation } from './routes/list-my-invitations';
import { listOrganizationsOperation } from './routes/list-organizations';
import { removeMemberOperation } from './routes/remove-member';
import { renameOrganizationOperation } from './routes/rename-organization';
import { acceptByTokenOperation, respondOperations } from './routes/respond-invitation';
import { updateMemberOperation } from './routes/update-member';

// The token route is registered before /{invitationId}/… so that the static path wins.
export const operations = [
  createOrganizationOperation,
  listOrganizationsOperation,
  getOrganizationOperation,
  renameOrganizationOperation,
  deleteOrganizationOperation,
  listMembersOperation,
  inviteOperation,
  updateMemberOperation,
  removeMemberOperation,
  cancelInvitationOperation,
  auditLogOperation,
  listMyInvitationsOperation,
  acceptByTokenOperation,
  ...respondOperations,
  invitationPageOperation,
  answerInvitationPageOperation,
];

export function createOrganizationsApp(deps: OrganizationsDeps, app: AppOptions) {
  // The invitation page's form posts url-encoded; the API routes' validators still insist on JSON.
  const a = createApp({
    ...app,
    name: 'organizations',
    bodyTypes: ['application/json', 'application/x-www-form-urlencoded'],
  });
  a.use('/api/v1/*', ...signedInApi(deps.auth.auth, deps.db));
  // The page is for signed-out visitors too: it offers sign-in instead of answering 401.
  a.use('/invitations/*', authenticate(deps.auth.auth), csrfProtection(deps.auth.auth));
  return mountOperations(a, operations, deps);
}
