import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
const [file, w, h, outPrefix] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const p = await b.newPage({ viewport: { width: Number(w), height: Number(h) } });
const data = readFileSync(file!).toString('base64');
await p.setContent(`<body style="margin:0"><img id=i src="data:image/png;base64,${data}"></body>`);
const height = await p.evaluate('document.getElementById("i").naturalHeight') as number;
for (let y = 0, n = 0; y < height; y += Number(h), n++) {
  await p.screenshot({ path: `${outPrefix}-${n}.png`, clip: { x: 0, y, width: Number(w), height: Math.min(Number(h), height - y) }, fullPage: true });
}
await b.close();
