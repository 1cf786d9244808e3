// `npm run test:stress`: the whole suite three times in a row while a CPU-bound process keeps one
// core busy, as on a shared 2-core machine. Prints each run's outcome and time; exits non-zero if
// any run failed. `STRESS_RUNS` changes the number of runs.
import { spawn } from 'node:child_process';

const runs = Number(process.env.STRESS_RUNS ?? 3);
const burner = spawn(process.execPath, ['-e', 'for (;;) Math.sqrt(Math.random());'], { stdio: 'ignore' });
const results = [];
try {
  for (let i = 1; i <= runs; i++) {
    const started = Date.now();
    const code = await new Promise((resolve) => {
      const child = spawn('npm', ['test', '--silent'], { stdio: 'inherit' });
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    const seconds = Math.round((Date.now() - started) / 1000);
    results.push({ run: i, passed: code === 0, seconds });
    process.stdout.write(
      `\nstress run ${i}/${runs}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds} s\n`,
    );
  }
} finally {
  burner.kill('SIGKILL');
}
console.table(results);
process.exit(results.every((r) => r.passed) ? 0 : 1);
