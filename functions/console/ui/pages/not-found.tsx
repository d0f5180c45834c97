import { Page } from '../components/page';

/**
 * The one answer for an unknown path and for an id the caller cannot see, whether or not it exists: the API
 * answers 404 for both, and so does this screen, word for word.
 */
export function NotFound() {
  return (
    <Page title="Not found">
      <p>There is nothing here, or you do not have access to it.</p>
      <p>
        <a href="/workspaces">Go to workspaces</a>
      </p>
    </Page>
  );
}
