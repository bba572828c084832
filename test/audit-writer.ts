// Child process for the concurrent-writers test: appends events one by one to the database at argv[2].
import { appendEvent } from '../src/audit/append.ts';
import { openDatabase } from '../src/db/connect.ts';

const [url, writer, count, startAt] = process.argv.slice(2);
const database = await openDatabase({ databaseUrl: url, poolMax: 2 });
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
for (let i = 0; i < Number(count); i++) {
  await appendEvent(database, {
    action: 'test.concurrent',
    outcome: 'success',
    actor: { kind: 'software', id: `writer-${writer}` },
    details: { i },
  });
}
await database.close();
