import { Page } from '../components/page';

/** Usage has no API yet: the screen says so rather than show invented numbers. */
export function ComingLater({ title }: { title: string }) {
  return (
    <Page title={title}>
      <p>
        {title} comes in a later release of Hexabase: nothing is measured yet. What each plan allows is listed
        when you create a workspace; what the organization pays is on <a href="/billing">Billing</a>.
      </p>
    </Page>
  );
}
