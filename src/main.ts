/** Process entry: `npm start` and the `rampart` binary both come here. */
import { runCli } from './cli/main.js';

await runCli(process.argv.slice(2));
