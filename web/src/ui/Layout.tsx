import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { NavLink } from 'react-router';
import { type LiveState, followEvents } from '../api/live.js';
import { useSession } from '../api/session.js';

const liveWords: Record<LiveState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'coordinator unreachable: reconnecting…',
};

/** The frame of every page behind the login: skip link, navigation, who is logged in, the live stream's state. */
export function Layout({ children }: { children: ReactNode }) {
  const { session, logout } = useSession();
  const client = useQueryClient();
  const [live, setLive] = useState<LiveState>('connecting');
  useEffect(
    () =>
      followEvents(client, {
        state: setLive,
        // The session layer sees it and sends the user to the login page, saying the session ended.
        unauthorized: () => client.setQueryData(['session'], null),
      }),
    [client],
  );
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Slipway</span>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Overview
          </NavLink>
          <NavLink to="/pipeline">Pipeline</NavLink>
          <NavLink to="/history">History</NavLink>
          <NavLink to="/errors">Errors</NavLink>
          <NavLink to="/alerts">Alerts</NavLink>
          <NavLink to="/incidents">Incidents</NavLink>
          <NavLink to="/migrations">Migrations</NavLink>
          <NavLink to="/kpis">KPIs</NavLink>
          <NavLink to="/audit">Audit</NavLink>
        </nav>
        <span className={`live live-${live}`} role="status" data-live={live}>
          {liveWords[live]}
        </span>
        <span className="who">
          {session.user}
          {session.mfa ? ' (TOTP)' : ''}
        </span>
        <button type="button" className="link" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
