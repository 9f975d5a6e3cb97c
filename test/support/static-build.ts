import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Write `files` (relative path → content) under `dir`, creating folders. */
export function writeBuild(dir: string, files: Record<string, string | Buffer>): void {
  for (const [file, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), body);
  }
}

/** A build shaped like Vite's dist/ for `version`: what it holds, and the hashed asset paths index.html loads. */
export interface ViteLikeBuild {
  files: Record<string, string>;
  script: string;
  style: string;
  /** A lazily loaded chunk (`import()`), as a code-split route would have. */
  chunk: string;
}

/**
 * A Vite-like build: index.html loading a hashed entry script and stylesheet, a lazy chunk, a
 * public file without hash, and a .vite/manifest.json. Content (and so every hash) differs per version.
 * `base` is Vite's `base` option: the path the app is served under (with a trailing slash).
 */
export function viteLikeBuild(version: string, base = '/'): ViteLikeBuild {
  const hashed = (name: string, ext: string, body: string) =>
    `assets/${name}-${createHash('sha256').update(body).digest('hex').slice(0, 8)}.${ext}`;
  // Long enough to be worth compressing, as real bundles are.
  const filler = Array.from({ length: 80 }, (_, i) => `export const line${i} = "quote ${version} ${i}";`).join('\n');
  const chunkBody = `export const pricing = ${JSON.stringify(version)};\n${filler}\n`;
  const chunk = hashed('pricing', 'js', chunkBody);
  const scriptBody = `const release = ${JSON.stringify(version)};\nimport('${base}${chunk}');\n${filler}\n`;
  const script = hashed('index', 'js', scriptBody);
  const styleBody = `body { font-family: sans-serif; } /* ${version} */\n${'.quote { color: navy; }\n'.repeat(40)}`;
  const style = hashed('index', 'css', styleBody);
  const html =
    `<!doctype html><html><head><title>Harbor ${version}</title>` +
    `<script type="module" src="${base}${script}"></script><link rel="stylesheet" href="${base}${style}"></head>` +
    `<body><div id="root"></div></body></html>\n`;
  return {
    script,
    style,
    chunk,
    files: {
      'index.html': html,
      [script]: scriptBody,
      [style]: styleBody,
      [chunk]: chunkBody,
      'robots.txt': 'User-agent: *\n',
      '.vite/manifest.json': JSON.stringify({ 'index.html': { file: script, css: [style], isEntry: true } }),
    },
  };
}
