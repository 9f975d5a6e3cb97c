import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/support/store.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listEvents } from '../store/repos/events.js';
import { getReleaseNotes } from '../store/repos/release-notes.js';
import { generateReleaseNotes } from './generate.js';

/** A real git repository (tags v1.0.0 and v1.1.0, and a commit a push announced for 1.2.0) and a real store. */
describe('generateReleaseNotes', () => {
  let db: Db;
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      },
    }).trim();
  const commit = (subject: string, body = '') => {
    writeFileSync(join(repo, 'f.txt'), `${subject}\n`);
    git('add', '.');
    git('commit', '-q', '-m', subject, ...(body ? ['-m', body] : []));
    return git('rev-parse', 'HEAD');
  };

  beforeAll(async () => {
    repo = mkdtempSync(join(tmpdir(), 'slipway-notes-'));
    git('init', '-q');
    commit('initial import');
    git('tag', 'v1.0.0');
    commit('feat(quotes): prices in EUR');
    commit('fix: rounding of premiums');
    commit('refactor: pricing', 'BREAKING CHANGE: the currency setting moved');
    git('tag', 'v1.1.0');
    const pushed = commit('Tidy logs');
    db = await freshDb();
    await db.query(`insert into projects (name, config, digest) values ('harbor', $1, 'x')`, [
      JSON.stringify({ project: 'harbor', baseDir: repo, environments: [], services: [] }),
    ]);
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '9.9.9'])
      await db.query(
        `insert into releases (id, project, service, version, spec, digest)
         values ($1, 'harbor', 'api', $2, '{}', 'x')`,
        [`rel_${v}`, v],
      );
    await db.query(
      `insert into release_commits (project, service, version, sha, committed_at) values ('harbor', 'api', '1.2.0', $1,
        now())`,
      [pushed],
    );
    for (const [id, from, to] of [
      ['dep_a', 'rel_1.0.0', 'rel_1.1.0'],
      ['dep_b', 'rel_1.1.0', 'rel_1.2.0'],
      ['dep_c', 'rel_1.2.0', 'rel_9.9.9'],
    ])
      await db.query(
        `insert into deployments (id, project, service, environment, kind, from_release, to_release, strategy, state,
           plan, settings) values ($1, 'harbor', 'api', 'staging', 'deploy', $2, $3, 'blue-green', 'succeeded',
           '{"steps":[]}', '{}')`,
        [id, from, to],
      );
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    rmSync(repo, { recursive: true, force: true });
  });

  it('between two tagged releases: grouped, stored with the release, announced by an event', async () => {
    const notes = await generateReleaseNotes(db, silentLogger, 'dep_a');
    expect(notes?.fromVersion).toBe('1.0.0');
    const stored = await getReleaseNotes(db, { project: 'harbor', service: 'api', version: '1.1.0' });
    expect(stored?.markdown).toMatch(
      new RegExp(
        String.raw`^# api 1\.1\.0 \(since 1\.0\.0\)\n\n## Breaking changes\n\n- pricing: the currency setting moved ` +
          String.raw`\(\w{7}\)\n\n## Features\n\n- \*\*quotes:\*\* prices in EUR`,
      ),
    );
    expect(stored?.markdown).toContain('## Fixes\n\n- rounding of premiums');
    expect(stored?.markdown).not.toContain('initial import');
    const event = (await listEvents(db, { deploymentId: 'dep_a' })).find((e) => e.kind === 'release.notes');
    expect(event?.message).toBe('release notes of api 1.1.0: 1 breaking, 1 features, 1 fixes, 0 other');
  });

  it('the commit a push announced counts too; a version git does not know gets no notes', async () => {
    const notes = await generateReleaseNotes(db, silentLogger, 'dep_b');
    expect(notes?.markdown).toMatch(/^# api 1\.2\.0 \(since 1\.1\.0\)\n\n## Other changes\n\n- Tidy logs \(\w{7}\)\n$/);
    expect(await generateReleaseNotes(db, silentLogger, 'dep_c')).toBeUndefined();
    expect(await getReleaseNotes(db, { project: 'harbor', service: 'api', version: '9.9.9' })).toBeUndefined();
  });
});
