// Entry of the staging worker thread: registers tsx's loader, as bin/confiance.js does for the process, then runs
// the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./line-worker.ts');
