#!/usr/bin/env node
// `npm test`: prepare what the tests need, then run them all. Never skips silently: when a
// server the tests use is missing and cannot be started, it stops with one line saying so.
//   1. PostgreSQL (store tests run against PGlite and a real server): reachable at
//      SLIPWAY_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), or started
//      with pg_ctlcluster when this machine has a cluster.
//   2. Prometheus (Debian package) for the signal-source tests; installed with apt-get when missing.
//   3. PostgreSQL's client tools (pg_dump, pg_restore, psql) for the backup tests.
//   3b. For the harbor-platform example: python3-fastapi, python3-uvicorn, python3-psycopg (Debian's
//      /usr/bin/python3) and chromium; installed with apt-get when missing.
//   3c. Docker (docker.io) for the container runtime's tests; installed with apt-get when missing.
//   4. Biome (format + lint) and lines of at most 120 characters (`npm run lint`).
//   5. dist/ rebuilt when its sources changed since the last build (scripts/build-if-stale.mjs): the tests of the
//      packaged `slipway` bin and the processes tests start run it.
//   6. vitest, with any extra arguments passed through (npm test -- test/cli.test.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';

const url = process.env.SLIPWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const where = new URL(url).host;

async function postgresAnswers() {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function tryStartPostgres() {
  if (!existsSync('/etc/postgresql')) return false;
  for (const version of readdirSync('/etc/postgresql')) {
    const r = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'ignore' });
    if (r.status === 0) return true;
  }
  return false;
}

if (!(await postgresAnswers())) {
  process.stderr.write(`npm test: PostgreSQL is not answering at ${where}; trying to start it…\n`);
  tryStartPostgres();
  let up = await postgresAnswers();
  for (let i = 0; i < 30 && !up; i++) {
    await new Promise((r) => setTimeout(r, 500));
    up = await postgresAnswers();
  }
  if (!up) {
    process.stderr.write(
      `npm test: PostgreSQL is not reachable at ${where} — start it, or set SLIPWAY_TEST_DATABASE_URL to a server ` +
        `the tests may create databases on\n`,
    );
    process.exit(1);
  }
}

// Prometheus: the signal-source tests start the Debian binary on a free port.
if (!existsSync('/usr/bin/prometheus')) {
  process.stderr.write('npm test: prometheus is not installed; installing the Debian package…\n');
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  spawnSync('apt-get', ['install', '-y', '-qq', 'prometheus'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!existsSync('/usr/bin/prometheus')) {
    process.stderr.write(
      'npm test: prometheus is not installed and could not be installed — run: apt-get install prometheus\n',
    );
    process.exit(1);
  }
}

// PostgreSQL's client tools (pg_dump, pg_restore, psql) for the database backup and restore tests.
const clientTools = ['pg_dump', 'pg_restore', 'psql'];
const missingTool = () => clientTools.find((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status !== 0);
if (missingTool()) {
  process.stderr.write('npm test: PostgreSQL client tools are missing; installing postgresql-client…\n');
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  spawnSync('apt-get', ['install', '-y', '-qq', 'postgresql-client'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const still = missingTool();
  if (still) {
    process.stderr.write(
      `npm test: ${still} is not installed and could not be — run: apt-get install postgresql-client\n`,
    );
    process.exit(1);
  }
}

// The harbor-platform example: Debian's python with FastAPI, uvicorn and psycopg (its backend), and
// Debian's Chromium (its page, driven by playwright-core); HAProxy for the HAProxy router's tests.
const platformPackages = [
  ['haproxy', () => existsSync('/usr/sbin/haproxy')],
  ['python3-fastapi', () => pythonImports('fastapi')],
  ['python3-uvicorn', () => pythonImports('uvicorn')],
  ['python3-psycopg', () => pythonImports('psycopg')],
  ['chromium', () => existsSync('/usr/bin/chromium')],
];
function pythonImports(module) {
  return spawnSync('/usr/bin/python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}
const missingPlatform = () => platformPackages.filter(([, present]) => !present()).map(([name]) => name);
if (missingPlatform().length > 0) {
  const missing = missingPlatform();
  process.stderr.write(
    `npm test: ${missing.join(', ')} missing (the harbor-platform example, the HAProxy router); installing…\n`,
  );
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  spawnSync('apt-get', ['install', '-y', '-qq', ...missing], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const still = missingPlatform();
  if (still.length > 0) {
    process.stderr.write(
      `npm test: ${still.join(', ')} not installed and could not be — run: apt-get install ${still.join(' ')}\n`,
    );
    process.exit(1);
  }
}

// Docker (Debian's docker.io: dockerd, runc, the docker CLI) for the container runtime's tests; they start a
// dockerd of their own on /run/slipway-test-docker/docker.sock when none answers at DOCKER_HOST
// (test/support/docker.ts), and stop it when done.
const dockerReady = () =>
  ['dockerd', 'runc', 'docker'].every((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0);
if (!dockerReady()) {
  process.stderr.write('npm test: docker.io is missing (the container runtime tests); installing…\n');
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  spawnSync('apt-get', ['install', '-y', '-qq', 'docker.io'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!dockerReady()) {
    process.stderr.write('npm test: dockerd is not installed and could not be — run: apt-get install docker.io\n');
    process.exit(1);
  }
}

// Formatting, lint rules and the 120-column limit: the same `npm run lint` a person runs.
if (spawnSync('npm', ['run', '--silent', 'lint'], { stdio: 'inherit' }).status !== 0) {
  process.stderr.write('npm test: npm run lint failed (above); `npm run format` fixes formatting\n');
  process.exit(1);
}

// dist/ as fresh as the sources: built again only when something it is made from changed (`npm install` built it
// through `prepare`; a rebuild costs ~12 s of the suite's two cores for nothing).
execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
// The processes tests start (coordinators, proxies, the CLI) run the fresh build: far less CPU per start than tsx
// (test/support/entry.ts, src/app/proxy-command.ts).
const vitest = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, SLIPWAY_ENTRY: 'dist' },
});
process.exit(vitest.status ?? 1);
