// Baked in at build time by build.mjs (Vite `define`), so each release's bundle knows what it is.

/** The release this bundle was built as, e.g. "2.0.0". */
declare const __RELEASE__: string;
/** Whether this release asks for the vessel's flag state (2.0.0 on, using the column 0002 adds). */
declare const __FLAG_STATE__: boolean;
/** Where the RUM beacons go: the proxy answers `<route>/.slipway/rum` itself. */
declare const __RUM_URL__: string;
