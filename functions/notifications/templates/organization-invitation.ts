import { html } from 'hono/html';
import type { MailMessage } from '../../../shared/mail';
import { type InvitationEmail, wording } from '../../../shared/orgs/invitation-links';

/** Plain text for every reader, plus a small HTML part; `html` escapes every value (organization names included). */
export async function organizationInvitation(e: InvitationEmail): Promise<MailMessage> {
  const org = e.organization.name;
  const role = wording.role(e.role);
  const expires = wording.instant(e.expiresAt);
  const inviter = e.invitedBy;
  const who = !inviter
    ? 'An administrator'
    : inviter.name === inviter.email
      ? inviter.email
      : `${inviter.name} (${inviter.email})`;
  const subject = inviter
    ? `${inviter.name} invited you to join ${org} on Hexabase`
    : `You are invited to join ${org} on Hexabase`;
  const text = [
    `${who} invited you to join the organization "${org}" on Hexabase as ${role}.`,
    '',
    'To accept or decline, open this link and sign in with this email address:',
    '',
    e.acceptUrl,
    '',
    `The invitation expires on ${expires}. If you did not expect it, you can ignore this email.`,
    '',
  ].join('\n');
  const body = await html`<!doctype html>
<html lang="en">
  <body style="font-family: system-ui, sans-serif; color: #1b1f24; max-width: 32rem;">
    <p>${who} invited you to join the organization <strong>${org}</strong> on Hexabase as ${role}.</p>
    <p>
      <a href="${e.acceptUrl}"
        style="display: inline-block; padding: .6rem 1.2rem; background: #1f6feb; color: #fff; border-radius: 6px; text-decoration: none;"
        >Accept or decline the invitation</a>
    </p>
    <p>Sign in with this email address. The invitation expires on ${expires}.</p>
    <p style="color: #57606a; font-size: .9em;">
      If the button does not work, open this link: ${e.acceptUrl}<br />
      If you did not expect this invitation, you can ignore this email.
    </p>
  </body>
</html>`;
  return { to: e.to, subject, text, html: String(body), link: e.acceptUrl };
}
