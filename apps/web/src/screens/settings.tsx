import { useScreenTitle } from '../router.tsx';
import { currentUser } from '../session.ts';
import { label } from '../format.ts';

export function SettingsScreen() {
  useScreenTitle('Settings');
  const me = currentUser()!;
  return (
    <section>
      <h1 tabIndex={-1}>Settings</h1>
      <h2>Your account</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{me.displayName}</dd>
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Agency</dt>
        <dd>{me.agency.name}</dd>
        <dt>Roles</dt>
        <dd>{me.roles.map(label).join(', ')}</dd>
      </dl>
      <h2>Notifications</h2>
      <p>
        Alerts and new entries reach you here, live, while Hearth is open. Email and other channels will be set here.
      </p>
    </section>
  );
}
