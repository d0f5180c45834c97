import { type ComponentChildren, createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { api, type Me, onSignedOut } from './api/client';

type Org = Me['organizations'][number];

export type Session =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | {
      status: 'signed-in';
      me: Me;
      /** The organization the header's switcher has chosen. */
      org: Org | undefined;
      selectOrg: (orgId: string) => void;
      reload: () => Promise<void>;
      signOut: () => Promise<void>;
    };

const SessionContext = createContext<Session>({ status: 'loading' });
const ORG_KEY = 'hxb.org';

/** Who is signed in (GET /auth/me) and which organization they are looking at (kept in localStorage: an id). */
export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [orgId, setOrgId] = useState<string | null>(() => localStorage.getItem(ORG_KEY));

  const reload = useCallback(async () => {
    const { data } = await api.GET('/auth/me').catch(() => ({ data: undefined }));
    setMe(data ?? null);
  }, []);

  useEffect(() => {
    onSignedOut(() => setMe(null));
    void reload();
  }, [reload]);

  const selectOrg = useCallback((id: string) => {
    localStorage.setItem(ORG_KEY, id);
    setOrgId(id);
  }, []);

  const signOut = useCallback(async () => {
    await api.POST('/auth/logout').catch(() => undefined);
    setMe(null);
  }, []);

  const value = useMemo<Session>(() => {
    if (me === undefined) return { status: 'loading' };
    if (me === null) return { status: 'signed-out' };
    const org = me.organizations.find((o) => o.id === orgId) ?? me.organizations[0];
    return { status: 'signed-in', me, org, selectOrg, reload, signOut };
  }, [me, orgId, selectOrg, reload, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export const useSession = () => useContext(SessionContext);

/** For screens rendered only when signed in (the app shows sign-in otherwise). */
export function useSignedIn() {
  const s = useSession();
  if (s.status !== 'signed-in') throw new Error('useSignedIn outside the signed-in app');
  return s;
}
