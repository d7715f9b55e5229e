// Shared by the bin shims: runs the compiled entry point (npm's `prepare` builds dist/) when it
// is newer than every source file, else the TypeScript source through tsx, so a checkout that
// changed since its last build never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestSource() {
  let newest = 0;
  for (const dir of ['protocol', 'commands', 'persistence', 'server']) {
    if (!existsSync(root + dir)) continue;
    for (const name of readdirSync(root + dir, { recursive: true })) {
      if (String(name).endsWith('.ts')) newest = Math.max(newest, statSync(`${root}${dir}/${name}`).mtimeMs);
    }
  }
  return newest;
}

/** `entry` is a module name under server/ without extension, e.g. 'main'. */
export async function launch(entry) {
  const built = new URL(`../dist/server/${entry}.js`, import.meta.url);
  const builtPath = fileURLToPath(built);
  if (existsSync(builtPath) && statSync(builtPath).mtimeMs >= newestSource()) {
    await import(built.href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import(new URL(`./${entry}.ts`, import.meta.url).href);
  }
}
