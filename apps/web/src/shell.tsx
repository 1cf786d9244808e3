import { ApolloProvider } from '@apollo/client/react';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { ApolloClient } from '@apollo/client';
import { createClient } from './apollo.ts';
import { graphql } from './graphql.ts';
import { Live, type LiveStatus, type Notice } from './live.ts';
import { LiveContext, useLiveContext } from './live-context.ts';
import { Link, navigate, usePath } from './router.tsx';
import { currentUser, hasRole, signOut } from './session.ts';
import { AlertsScreen } from './screens/alerts.tsx';
import { CaseloadScreen } from './screens/caseload.tsx';
import { FamilyScreen } from './screens/family.tsx';

/*
 * What a signed-in person sees: the Apollo client, the live socket and the screens. It loads
 * while the sign-in screen is shown (or while a reload restores the session), so the first
 * screen needs none of it.
 */

// The auditor's and admins' screens load only for those who open them.
const AdminScreen = lazy(() => import('./screens/admin.tsx').then((m) => ({ default: m.AdminScreen })));
const AuditScreen = lazy(() => import('./screens/audit.tsx').then((m) => ({ default: m.AuditScreen })));
const RulesScreen = lazy(() => import('./screens/rules.tsx').then((m) => ({ default: m.RulesScreen })));
// As is settings, opened now and then.
const SettingsScreen = lazy(() => import('./screens/settings.tsx').then((m) => ({ default: m.SettingsScreen })));

const LATEST_SEQ = graphql(`
  query LatestSeq($afterSeq: Int, $first: Int = 100) {
    notifications(afterSeq: $afterSeq, first: $first) {
      seq
    }
  }
`);

/** What each kind of doorbell makes stale. */
const STALE: Record<Notice['type'], string[]> = {
  EVENT_POSTED: ['Timeline', 'Caseload'],
  REPLY_POSTED: ['Timeline'],
  ALERT_RAISED: ['Alerts', 'Caseload', 'FamilyAlerts'],
  ALERT_UPDATED: ['Alerts', 'Caseload', 'FamilyAlerts'],
  MEMBERSHIP_CHANGED: ['Caseload', 'Family'],
  ACCESS_GRANTED: ['Grants'],
  ACCESS_REVOKED: ['Caseload', 'Family', 'Timeline', 'Alerts'],
};

export function SignedIn() {
  const client = useMemo(() => createClient(), []);
  const live = useLive(client);
  return (
    <ApolloProvider client={client}>
      <LiveContext.Provider value={live}>
        <Shell />
      </LiveContext.Provider>
    </ApolloProvider>
  );
}

/** The socket, started once the inbox's last seq is known so `resume` replays only what is new. */
function useLive(client: ApolloClient): Live | null {
  const [live, setLive] = useState<Live | null>(null);
  useEffect(() => {
    let stopped = false;
    let instance: Live | null = null;
    void (async () => {
      let afterSeq = 0;
      for (let page = 0; page < 100; page++) {
        const { data } = await client.query({ query: LATEST_SEQ, variables: { afterSeq }, fetchPolicy: 'no-cache' });
        const seqs = data?.notifications.map((n) => n.seq) ?? [];
        if (seqs.length === 0) break;
        afterSeq = Math.max(afterSeq, ...seqs);
        if (seqs.length < 100) break;
      }
      if (stopped) return;
      instance = new Live(afterSeq);
      instance.onNotice((notice) => {
        void client.refetchQueries({ include: STALE[notice.type] });
      });
      instance.start();
      setLive(instance);
    })();
    return () => {
      stopped = true;
      instance?.stop();
    };
  }, [client]);
  return live;
}

function Shell() {
  const path = usePath();
  const user = currentUser()!;
  const practitioner = hasRole('PRACTITIONER') || hasRole('MANAGER');
  const home = practitioner ? '/' : hasRole('AUDITOR') ? '/audit' : hasRole('AGENCY_ADMIN') ? '/admin' : '/rules';
  useEffect(() => {
    if (path === '/' && home !== '/') navigate(home);
  }, [path, home]);
  const nav = [
    ...(practitioner
      ? [
          { href: '/', text: 'My caseload' },
          { href: '/alerts', text: 'Alerts' },
        ]
      : []),
    ...(hasRole('AUDITOR') ? [{ href: '/audit', text: 'Who viewed' }] : []),
    ...(hasRole('AGENCY_ADMIN') ? [{ href: '/admin', text: 'Agency' }] : []),
    ...(hasRole('PARTNERSHIP_ADMIN') ? [{ href: '/rules', text: 'Rules' }] : []),
    { href: '/settings', text: 'Settings' },
  ];
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href={home} className="brand">
          Hearth
        </Link>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={current(path, item.href) ? 'page' : undefined}>
                  {item.text}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="me">
          <LiveBadge />
          <span className="who">
            {user.displayName}
            <span className="muted"> · {user.agency.name}</span>
          </span>
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <Toasts />
      <main id="main">
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Screen path={path} />
        </Suspense>
      </main>
    </>
  );
}

const current = (path: string, href: string) =>
  href === '/' ? path === '/' || path.startsWith('/families') : path.startsWith(href);

function Screen({ path }: { path: string }) {
  const family = /^\/families\/([0-9a-f-]{36})$/.exec(path);
  if (family) return <FamilyScreen familyId={family[1]!} />;
  switch (path) {
    case '/':
      return <CaseloadScreen />;
    case '/alerts':
      return <AlertsScreen />;
    case '/audit':
      return <AuditScreen />;
    case '/admin':
      return <AdminScreen />;
    case '/rules':
      return <RulesScreen />;
    case '/settings':
      return <SettingsScreen />;
    default:
      return (
        <section>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            <Link href="/">Back to the start</Link>
          </p>
        </section>
      );
  }
}

function LiveBadge() {
  const live = useLiveContext();
  const [status, setStatus] = useState<LiveStatus>(live?.status ?? 'connecting');
  useEffect(() => live?.onStatus(setStatus), [live]);
  const text = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span className={`live live-${status}`} data-testid="live-status" data-status={status}>
      {text}
    </span>
  );
}

interface Toast {
  seq: number;
  text: string;
  href: string | null;
}

const TOAST_TEXT: Record<Notice['type'], string> = {
  EVENT_POSTED: 'New timeline entry',
  REPLY_POSTED: 'New reply',
  ALERT_RAISED: 'New alert',
  ALERT_UPDATED: 'Alert updated',
  MEMBERSHIP_CHANGED: 'Your networks changed',
  ACCESS_GRANTED: 'Break-glass access granted',
  ACCESS_REVOKED: 'Your access to a family ended',
};

function Toasts() {
  const live = useLiveContext();
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(
    () =>
      live?.onNotice((notice) => {
        const rag = notice.rag ? ` (${notice.rag})` : '';
        const href = notice.type.startsWith('ALERT')
          ? '/alerts'
          : notice.familyId
            ? `/families/${notice.familyId}`
            : null;
        setToasts((all) => [...all.slice(-2), { seq: notice.seq, text: `${TOAST_TEXT[notice.type]}${rag}`, href }]);
      }),
    [live],
  );
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.seq} className="toast">
          {toast.href ? <Link href={toast.href}>{toast.text}</Link> : toast.text}
          <button
            type="button"
            className="link"
            aria-label="Dismiss"
            onClick={() => setToasts((all) => all.filter((t) => t.seq !== toast.seq))}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
