import { lazy, Suspense, useEffect, useState, useSyncExternalStore } from 'react';
import { usePath } from './router.tsx';
import { currentUser, onSessionChange, refresh } from './session.ts';
import { SignInScreen } from './screens/sign-in.tsx';

/** The signed-in shell (Apollo, the socket, the screens): fetched at once, but not waited for to sign in. */
const loadShell = () => import('./shell.tsx').then((m) => ({ default: m.SignedIn }));
const SignedIn = lazy(loadShell);
// The page a password-reset link opens, for the few who hold one.
const ResetPasswordScreen = lazy(() =>
  import('./screens/reset-password.tsx').then((m) => ({ default: m.ResetPasswordScreen })),
);

const useUser = () => useSyncExternalStore(onSessionChange, currentUser);

export function App() {
  const user = useUser();
  const path = usePath();
  const [restoring, setRestoring] = useState(true);
  useEffect(() => {
    void loadShell();
    void refresh().finally(() => setRestoring(false));
  }, []);
  const loading = <p className="loading">Loading Hearth…</p>;
  // A reset link is for whoever holds it, signed in here or not.
  if (path === '/reset-password') {
    return (
      <Suspense fallback={loading}>
        <ResetPasswordScreen />
      </Suspense>
    );
  }
  if (restoring) return loading;
  if (!user) return <SignInScreen />;
  return (
    <Suspense fallback={loading}>
      <SignedIn />
    </Suspense>
  );
}
