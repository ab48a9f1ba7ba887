import { existsSync, readFileSync } from 'node:fs';
import { type ResolveFnOutput, type ResolveHookSync, registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Start-up cost of ES-module packages under Node 24 (docs/PERFORMANCE.md, "CLI start-up"). To learn a `.js`
 * module's format, Node's resolver looks up the nearest package.json and deserializes it again for every module:
 * drizzle-orm's is 179 KB (447 `exports`) and a command loads ~110 drizzle modules, so that lookup alone was over
 * a second of every CLI command. These hooks give Node's own answer without the repeated lookup:
 * - a relative `./x.js` import by a module inside node_modules whose nearest package.json says `"type": "module"`
 *   is that file, as an ES module (each package.json is read once here, not once per module);
 * - a bare specifier (`drizzle-orm/pg-core`) imported by src/ resolves the same from every src/ file (one
 *   node_modules), so Node resolves it once per specifier instead of once per importing file.
 * Everything else (require, extensionless or `#` specifiers, packages without an explicit type) goes to Node.
 */
export function registerFastResolve(): void {
  registerHooks({ resolve });
}

const SRC = `${pathToFileURL(path.resolve(import.meta.dirname, '..')).href}/`;
const bareCache = new Map<string, ResolveFnOutput>();
/** Directory → the "type" of its nearest package.json ('' when that has none, or there is none). */
const dirType = new Map<string, string>();

const resolve: ResolveHookSync = (specifier, context, next) => {
  const parent = context.parentURL;
  const esm = context.conditions.includes('import');
  if (!parent || !esm || context.importAttributes.type) return next(specifier, context);
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    if (specifier.endsWith('.js') && parent.includes('/node_modules/') && parent.startsWith('file:')) {
      const url = new URL(specifier, parent);
      if (typeOf(path.dirname(fileURLToPath(url))) === 'module')
        return { url: url.href, format: 'module', shortCircuit: true };
    }
    return next(specifier, context);
  }
  if (parent.startsWith(SRC) && !specifier.startsWith('node:') && !specifier.startsWith('#')) {
    const key = `${specifier}\0${context.conditions.join(',')}`;
    let r = bareCache.get(key);
    if (!r) {
      r = { ...next(specifier, context), shortCircuit: true };
      bareCache.set(key, r);
    }
    return r;
  }
  return next(specifier, context);
};

function typeOf(dir: string): string {
  const known = dirType.get(dir);
  if (known !== undefined) return known;
  const file = path.join(dir, 'package.json');
  let type = '';
  if (existsSync(file)) {
    try {
      const t = (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }).type;
      type = typeof t === 'string' ? t : '';
    } catch {
      type = ''; // unreadable: Node decides
    }
  } else {
    const up = path.dirname(dir);
    type = up === dir || path.basename(dir) === 'node_modules' ? '' : typeOf(up);
  }
  dirType.set(dir, type);
  return type;
}
