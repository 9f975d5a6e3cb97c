import { Component, type ComponentType, lazy, type ReactNode } from 'react';

/** How long to wait before each new try of a part of the page that did not load (ms): ~30 s in all. */
const waits = [500, 1000, 2000, 4000, 8000, 15_000];

/**
 * A part of the page that loads when first shown (React's lazy), tried again while its files cannot be fetched: a
 * page open while the coordinator restarts asks for them just then (seen in CI: the deployment page's charts were
 * requested as the coordinator was killed, the request was cut, and the whole page went blank). Chromium fetches a
 * failed dynamic import again when it is imported again. Until it loads, the Suspense fallback shows; after the last
 * try, the error goes to the nearest ViewBoundary.
 */
// biome-ignore lint/suspicious/noExplicitAny: React.lazy takes components of any props
export function lazyView<T extends ComponentType<any>>(load: () => Promise<{ default: T }>) {
  return lazy(async () => {
    for (let i = 0; ; i++) {
      try {
        return await load();
      } catch (e) {
        if (i >= waits.length) throw e;
        await new Promise((r) => setTimeout(r, waits[i]));
        dropFailedStylesheets();
      }
    }
  });
}

/**
 * Vite's loader adds a chunk's stylesheet once and, on the next try, skips it when its link is already in the page,
 * even a link whose fetch failed: those are removed so the next try fetches the stylesheet again.
 */
function dropFailedStylesheets(): void {
  for (const link of document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')) {
    if (link.sheet === null && link.href.includes('/assets/')) link.remove();
  }
}

/** A part of the page that could not be shown: says so in its place, and the rest of the page carries on. */
export class ViewBoundary extends Component<{ what: string; children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: undefined };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override render() {
    if (this.state.error === undefined) return this.props.children;
    const message = this.state.error instanceof Error ? this.state.error.message : String(this.state.error);
    return (
      <div className="error-state" role="alert">
        <strong>Could not load {this.props.what}.</strong> <span>{message}</span>{' '}
        <button type="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </div>
    );
  }
}
