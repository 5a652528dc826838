/** The `servebench` command. */
import { Argument, Command, CommanderError, Option } from 'commander';
import { CliError, EXIT } from './exit-codes';
import { helpConfiguration } from './help';
import { cancelCommand, DEFAULT_CANCEL_WAIT_S } from './commands/cancel';
import { compareCommand } from './commands/compare';
import { exportCommand } from './commands/export';
import { statusCommand } from './commands/status';
import { queryCommand } from './commands/query';
import { rebuildCommand } from './commands/rebuild';
import { reportCommand } from './commands/report';
import { suggestCommand } from './commands/suggest';
import { runCommand } from './commands/run';
import { upCommand } from './commands/up';
import { validateCommand } from './commands/validate';
import { workerCommand } from './commands/worker';

// package.json is outside the compiled tree (dist/), so it is read at run time, not imported.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

/** The results file option shared by every command that reads or writes it. */
const dbOption = () => new Option('--db <file>', 'results file (default: .servebench/results.duckdb)');

const DEVICES_HELP = 'devices this host measures on, comma-separated: cpu (all cores), cpu0,cpu1 (the cores split evenly), cpu0=0-3, gpu0';

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

function program(): Command {
  const p = new Command('servebench')
    .description('Durable, config-driven benchmarking of deep-learning inference serving, on Temporal.')
    .version(version)
    .exitOverride()
    // Before the subcommands: each copies it.
    .configureHelp(helpConfiguration)
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 a job or the sweep failed, 2 invalid input (nothing started), 3 Temporal unreachable,
4 a job produced no valid measurement, 5 the sweep was cancelled, 6 compare found a regression, 130 interrupted.
Environment: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default "default"),
TEMPORAL_TLS_CERT/KEY/CA, TEMPORAL_API_KEY, SERVEBENCH_HOME (default ./.servebench), TEMPORAL_CLI, TEMPORAL_UI_URL.`,
    );

  p.command('run')
    .description('run a benchmark sweep: uses the Temporal server at TEMPORAL_ADDRESS, or starts the embedded one for the run')
    .argument('<config>', 'YAML config file')
    .option('--id <sweepId>', 'sweep workflow id (default: <name>-<UTC time>)')
    .option('--json', 'print the sweep result as JSON instead of a table, without a progress bar')
    .action(async (config: string, opts) => {
      process.exitCode = await runCommand(config, opts);
    });

  p.command('validate')
    .description('check a config file and say what is wrong, with the YAML path and line; starts nothing')
    .argument('<config>', 'YAML config file')
    .option('--settings', "print, as JSON, the settings each job's run will use (defaults and derived values resolved, as runs.settings holds them)")
    .action((config: string, opts) => {
      process.exitCode = validateCommand(config, opts);
    });

  p.command('up')
    .description('start the one-host cluster: Temporal dev server (Web UI), leader and follower workers, until Ctrl-C')
    .option('--cluster <name>', 'cluster name of this host', 'local')
    .option('--devices <list>', DEVICES_HELP, list, ['cpu'])
    .addOption(new Option('--ui-port <port>', 'Web UI port (default: Temporal port + 1000)').argParser(Number))
    .action(async (opts) => {
      process.exitCode = await upCommand(opts);
    });

  p.command('status')
    .description('recent sweeps and the devices of each cluster; with SWEEP, that sweep\'s progress and running jobs')
    .argument('[sweep]', 'sweep id, name (its most recent sweep) or "latest"')
    .option('--json', 'as JSON')
    .addOption(new Option('--limit <n>', 'sweeps to list').argParser(Number).default(10))
    .action(async (sweep: string | undefined, opts) => {
      process.exitCode = await statusCommand(sweep, opts);
    });

  p.command('cancel')
    .description('cancel a running sweep: its running jobs stop and free their devices; `run --id SWEEP` resumes it later')
    .argument('<sweep>', 'sweep id, name (its most recent sweep) or "latest"')
    .option('--no-wait', 'return once the cancellation is requested')
    .addOption(new Option('--timeout <seconds>', 'the most to wait for the sweep to stop; then say what is pending').argParser(Number).default(DEFAULT_CANCEL_WAIT_S))
    .action(async (sweep: string, opts) => {
      process.exitCode = await cancelCommand(sweep, opts);
    });

  p.command('query')
    .description('run one SELECT on the results database: it reads that file and nothing else (no file written, no database attached, no setting changed)')
    .argument('<sql>', 'SQL, e.g. "select * from results"')
    .option('--wide', 'every column, values uncut (by default the table fits the terminal, 100 characters when not one, and says what it left out)')
    .option('--json', 'rows as a JSON array')
    .option('--csv', 'rows as CSV')
    .option('--parquet <file>', 'write the rows to a Parquet file')
    .addOption(dbOption())
    .action(async (sql: string, opts) => {
      process.exitCode = await queryCommand(sql, opts);
    });

  p.command('export')
    .description("write a sweep's rows of every table as Parquet files")
    .argument('<sweep>', 'sweep id, name (its most recent sweep) or "latest"')
    .requiredOption('--out <dir>', 'directory for the .parquet files')
    .addOption(dbOption())
    .action(async (sweep: string, opts) => {
      process.exitCode = await exportCommand(sweep, opts);
    });

  p.command('report')
    .description('write a self-contained HTML report with plots for a sweep, and print a Markdown summary')
    .argument('<sweep>', 'sweep id, name (its most recent sweep) or "latest"')
    .option('--out <file>', 'HTML file (default: report-<sweepId>.html)')
    .option('--compare <baseline>', 'add a comparison of this sweep (as B) against a baseline sweep (as A), as `compare BASELINE SWEEP` prints it')
    .addOption(dbOption())
    .action(async (sweep: string, opts) => {
      process.exitCode = await reportCommand(sweep, opts);
    });

  p.command('compare')
    .description('compare sweep B against baseline A job by job: throughput and p50/p90/p99 with bootstrap confidence intervals, change and verdict')
    .argument('<a>', 'baseline: sweep id, name (its most recent sweep), "latest", or a config file (its most recent sweep)')
    .argument('<b>', 'the sweep to judge against A, named the same ways')
    .option('--confidence <level>', 'confidence of the intervals and verdicts, e.g. 95 or 0.99', '95')
    .option('--fail-on-regression <pct>', 'exit 6 when a job is significantly worse than A by more than PCT % on a gated metric, or measured nothing where A did')
    .option('--gate <metrics>', 'the metrics --fail-on-regression looks at, among throughput,p50,p90,p99 (default: throughput,p99)')
    .option('--json', 'one JSON object')
    .option('--markdown', 'a Markdown table (e.g. for a pull request comment)')
    .option('--resamples <n>', 'bootstrap resamples', String(2000))
    .option('--seed <n>', 'seed of the bootstrap (same seed, same intervals)', '1')
    .addOption(dbOption())
    .option('--baseline-db <file>', 'read A from this results file (e.g. one kept from the main branch); default: --db')
    .action(async (a: string, b: string, opts) => {
      process.exitCode = await compareCommand(a, b, opts);
    });

  p.command('suggest')
    .description('fit throughput and p99 over a sweep, print the held-out error, and propose the next configurations to measure')
    .argument('<sweep>', 'sweep id, name (its most recent sweep) or "latest"')
    .option('--json', 'one JSON object')
    .option('--allow-extrapolation', 'rank the predicted best by prediction alone, including configurations beyond the measured range (marked either way)')
    .addOption(new Option('--coverage <fraction>', 'coverage of the prediction intervals').argParser(Number).default(0.9))
    .addOption(dbOption())
    .action(async (sweep: string, opts) => {
      process.exitCode = await suggestCommand(sweep, opts);
    });

  p.command('rebuild')
    .description('restore the results database from the sweeps Temporal still holds (after the file was lost)')
    .addOption(dbOption())
    .action(async (opts) => {
      process.exitCode = await rebuildCommand(opts);
    });

  p.command('worker')
    .description('run one worker process against TEMPORAL_ADDRESS: "leader" (workflows, results) or "follower" (this host\'s devices)')
    .addArgument(new Argument('<role>', 'what this worker runs').choices(['leader', 'follower']))
    .option('--cluster <name>', 'follower: cluster name', 'local')
    .option('--node <name>', 'follower: node name (default: host name)')
    .option('--devices <list>', 'follower: ' + DEVICES_HELP, list, ['cpu'])
    .action(async (role: string, opts) => {
      process.exitCode = await workerCommand(role, opts);
    });

  return p;
}

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors get the "invalid input" code.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    } else if (err instanceof CliError) {
      process.stderr.write(`servebench: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`servebench: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = EXIT.failed;
    }
  }
  // Open handles (gRPC channels, timers) must not keep a finished command alive.
  setTimeout(() => process.exit(), 200).unref();
}

void main(process.argv);
