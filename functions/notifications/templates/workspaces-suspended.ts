import { html } from 'hono/html';
import type { SuspensionEmail } from '../../../shared/billing/emails';
import type { MailMessage } from '../../../shared/mail';

/** One message per admin; `html` escapes every value (organization and workspace names included). */
export async function workspacesSuspended(e: SuspensionEmail): Promise<MailMessage[]> {
  const org = e.organization.name;
  const names = e.workspaces.map((w) => w.name);
  const subject = `${org}: ${names.length === 1 ? `workspace ${names[0]} is` : `${names.length} workspaces are`} suspended for non-payment`;
  const text = [
    `The subscription of the organization "${org}" on Hexabase is past due, and its grace period has ended.`,
    '',
    'These paid workspaces are suspended: their vClusters are scaled to zero. Their data is kept.',
    ...names.map((n) => `  - ${n}`),
    '',
    'Pay the open invoice or update the payment method, and they start again:',
    '',
    e.billingUrl,
    '',
  ].join('\n');
  const body = await html`<!doctype html>
<html lang="en">
  <body style="font-family: system-ui, sans-serif; color: #1b1f24; max-width: 32rem;">
    <p>The subscription of the organization <strong>${org}</strong> on Hexabase is past due, and its grace period has ended.</p>
    <p>These paid workspaces are suspended: their vClusters are scaled to zero. Their data is kept.</p>
    <ul>${names.map((n) => html`<li>${n}</li>`)}</ul>
    <p>
      <a href="${e.billingUrl}"
        style="display: inline-block; padding: .6rem 1.2rem; background: #1f6feb; color: #fff; border-radius: 6px; text-decoration: none;"
        >Open billing</a>
    </p>
    <p style="color: #57606a; font-size: .9em;">If the button does not work, open this link: ${e.billingUrl}</p>
  </body>
</html>`;
  return e.to.map((to) => ({ to, subject, text, html: String(body), link: e.billingUrl }));
}
