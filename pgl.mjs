import { PGlite } from '@electric-sql/pglite';
let t=Date.now();
const db = new PGlite('/tmp/pgl-test-'+Date.now());
await db.waitReady; console.log('init', Date.now()-t);
t=Date.now();
const r = await db.query('select version()'); console.log(r.rows[0], Date.now()-t);
t=Date.now(); const dump = await db.dumpDataDir('none'); console.log('dump', Date.now()-t, dump.size);
t=Date.now(); const db2 = new PGlite({loadDataDir: dump}); await db2.waitReady; console.log('load', Date.now()-t);
console.log(process.memoryUsage().rss/1e6)
