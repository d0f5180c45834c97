import { idParam } from './openapi';
import * as z from './zod';

/**
 * Path parameters that name resources, shared by every function whose routes sit under the same resource: an id
 * not of its kind is a 404 before any query runs (see idParam).
 */
export const OrgParam = z.object({ orgId: idParam('orgId', 'org') });
export const MemberParam = OrgParam.extend({ userId: idParam('userId', 'usr') });
export const OrgInvitationParam = OrgParam.extend({ invitationId: idParam('invitationId', 'inv') });
export const InvitationParam = z.object({ invitationId: idParam('invitationId', 'inv') });

export const OrgWsIdParams = OrgParam.extend({ wsId: idParam('wsId', 'ws') });
export const WsParams = z.object({ wsId: idParam('wsId', 'ws') });
export const WsMemberParams = WsParams.extend({ userId: idParam('userId', 'usr') });
export const GroupParams = WsParams.extend({ groupId: idParam('groupId', 'grp') });
export const WsProjectParams = WsParams.extend({ projectId: idParam('projectId', 'prj') });
export const ProjectParams = z.object({ projectId: idParam('projectId', 'prj') });
export const ProjectAssignmentParams = ProjectParams.extend({ assignmentId: idParam('assignmentId', 'ra') });
export const WsAssignmentParams = WsParams.extend({ assignmentId: idParam('assignmentId', 'ra') });
export const TaskParams = z.object({ taskId: idParam('taskId', 'task') });
