import type { ReactNode } from 'react';

/** A wide table scrolls sideways on a phone; focusable and named, so keyboard users can scroll it too. */
export function Scroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled by keyboard.
    <section className="table-scroll" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
