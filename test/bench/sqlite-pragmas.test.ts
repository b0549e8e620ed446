/**
 * The dev server on its SQLite file (the `npm start` stack) runs with a write-ahead log and fsync at checkpoints:
 * measured by bench/sqlite.ts at ~3x the in-memory server's CPU per turn without them, ~1.07x with them.
 */
import { DEFAULT_SQLITE_PRAGMAS, sqliteArgs } from '../../lib/temporal/server';

test('a dev server on a file gets the tuned pragmas unless told otherwise; in memory gets none', () => {
  expect(DEFAULT_SQLITE_PRAGMAS).toEqual(['journal_mode=wal', 'synchronous=normal']);
  expect(sqliteArgs({ dbFilename: '/data/temporal.db' })).toEqual([
    '--db-filename', '/data/temporal.db', '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal',
  ]);
  expect(sqliteArgs({ dbFilename: '/data/temporal.db', sqlitePragmas: [] })).toEqual(['--db-filename', '/data/temporal.db']);
  expect(sqliteArgs({})).toEqual([]);
});
