// A tiny sequential test harness. The steps of a suite build on each other
// (sign in, then list tools, then call one, ...), so once a step fails the
// rest are reported as failed without running. Each step has a time limit.
// The suite ends with the line `N passed, M failed` and exit status 1 on any
// failure.

export function suite(name) {
  const steps = [];
  const cleanups = [];
  return {
    step(title, fn, { timeoutMs = 30_000 } = {}) {
      steps.push({ title, fn, timeoutMs });
    },
    cleanup(fn) {
      cleanups.push(fn);
    },
    async run() {
      let passed = 0;
      let failed = 0;
      let broken = null;
      for (const s of steps) {
        if (broken) {
          failed++;
          console.log(`not ok - ${s.title} (not run: "${broken}" failed)`);
          continue;
        }
        const t0 = Date.now();
        let timer;
        try {
          await Promise.race([
            s.fn(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${s.timeoutMs} ms`)), s.timeoutMs);
            }),
          ]);
          passed++;
          console.log(`ok - ${s.title} (${Date.now() - t0} ms)`);
        } catch (err) {
          failed++;
          broken = s.title;
          console.log(`not ok - ${s.title} (${Date.now() - t0} ms)`);
          console.log(indent(err?.stack ?? String(err)));
        } finally {
          clearTimeout(timer);
        }
      }
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (err) {
          console.log(`# cleanup: ${err?.message ?? err}`);
        }
      }
      console.log(`# ${name}`);
      console.log(`${passed} passed, ${failed} failed`);
      process.exitCode = failed > 0 ? 1 : 0;
      return { passed, failed };
    },
  };
}

function indent(s) {
  return String(s)
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

// env returns a required environment variable.
export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run this suite through e2e/node/run)`);
  return v;
}
