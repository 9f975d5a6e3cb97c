import { Link, useLocation } from 'react-router';

/** A page path the dashboard does not have. */
export function NotFound() {
  const { pathname } = useLocation();
  return (
    <section>
      <h1>No such page</h1>
      <p>
        The dashboard has no page at <code>{pathname}</code>. <Link to="/">Go to the overview</Link>.
      </p>
    </section>
  );
}
