import { CliError } from './hxb/api';
import { main } from './hxb/main';

// Entry point of the hxb CLI (bundled to dist/hxb.mjs by `npm run build`; `npx hxb` runs it from the repo).
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`hxb: ${err instanceof CliError ? err.message : (err as Error).message}\n`);
    process.exit(
      err instanceof CliError ? err.exitCode : err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1,
    );
  },
);
