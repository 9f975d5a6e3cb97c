import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Outlet, Route, Routes } from 'react-router';
import { ApiError } from './api/client.js';
import { RequireSession } from './api/session.js';
import { Loading } from './ui/ErrorState.js';
import { Layout } from './ui/Layout.js';
import { lazyView, ViewBoundary } from './ui/lazy-view.js';
import { Login } from './views/Login.js';
import { NotFound } from './views/NotFound.js';
import { Overview, prefetchOverview } from './views/Overview.js';
import './styles.css';

// The overview is the first view; the others (and the chart library) load when they are opened.
const DeploymentPage = lazyView(() => import('./views/DeploymentPage.js'));
const History = lazyView(() => import('./views/History.js'));
const Errors = lazyView(() => import('./views/Errors.js'));
const ErrorDetail = lazyView(() => import('./views/ErrorDetail.js'));
const Alerts = lazyView(() => import('./views/Alerts.js'));
const Incidents = lazyView(() => import('./views/Incidents.js'));
const IncidentDetail = lazyView(() => import('./views/IncidentDetail.js'));
const Kpis = lazyView(() => import('./views/Kpis.js'));
const Pipeline = lazyView(() => import('./views/Pipeline.js'));
const Audit = lazyView(() => import('./views/Audit.js'));
const Logs = lazyView(() => import('./views/Logs.js'));
const Migrations = lazyView(() => import('./views/Migrations.js'));

const client = new QueryClient({
  defaultOptions: {
    queries: {
      // Data changes arrive as events (src/api/live.ts), so nothing refetches on a timer or on focus.
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A refused request (4xx) will be refused again; an unreachable coordinator is retried.
      retry: (n, e) => n < 3 && !(e instanceof ApiError && e.status >= 400 && e.status < 500),
    },
  },
});

if (window.location.pathname === '/') prefetchOverview(client);

/** Every page behind the login shares one frame (and so one live event stream). */
function Protected() {
  return (
    <RequireSession fallback={<Loading what="the session" />}>
      <Layout>
        <ViewBoundary what="this page">
          <Suspense fallback={<Loading what="the page" />}>
            <Outlet />
          </Suspense>
        </ViewBoundary>
      </Layout>
    </RequireSession>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<Login />} />
          <Route element={<Protected />}>
            <Route path="/" element={<Overview />} />
            <Route path="/deployments/:id" element={<DeploymentPage />} />
            <Route path="/history" element={<History />} />
            <Route path="/errors" element={<Errors />} />
            <Route path="/errors/:id" element={<ErrorDetail />} />
            <Route path="/alerts" element={<Alerts />} />
            <Route path="/incidents" element={<Incidents />} />
            <Route path="/incidents/:id" element={<IncidentDetail />} />
            <Route path="/kpis" element={<Kpis />} />
            <Route path="/pipeline" element={<Pipeline />} />
            <Route path="/audit" element={<Audit />} />
            <Route path="/migrations" element={<Migrations />} />
            <Route path="/instances/:id/logs" element={<Logs />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
