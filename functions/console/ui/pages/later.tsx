import { Page } from '../components/page';

/** Billing and usage have no API yet: the screens say so rather than show invented numbers. */
export function ComingLater({ title }: { title: string }) {
  return (
    <Page title={title}>
      <p>
        {title} comes in a later release of Hexabase. Nothing is measured or charged yet; workspace plans and
        their prices are listed when you create a workspace.
      </p>
    </Page>
  );
}
