// Local ESLint rules for the architecture in docs/architecture.md.
//
// `module-entry`: code in one module of src/ (a folder directly under src/) uses another module
// only through that module's index.ts. The exceptions are the composition root's own: src/db
// alone reaches the generated Prisma client, and the CLI's `start` command reaches src/main.ts.
// Tests may reach into other modules (fixtures, internals under test); this rule runs on the rest.
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '..', 'src');

/** `src/<module>/…` → module name; src/main.ts and files outside src → null. */
function moduleOf(file) {
  const relative = path.relative(SRC, file);
  if (relative.startsWith('..')) return null;
  const parts = relative.split(path.sep);
  return parts.length > 1 ? parts[0] : null;
}

function allowedDeepImport(fromModule, target) {
  const relative = path.relative(SRC, target).split(path.sep).join('/');
  if (relative.startsWith('generated/')) return fromModule === 'db';
  if (relative === 'main.ts') return fromModule === 'cli';
  return false;
}

const moduleEntry = {
  meta: {
    type: 'problem',
    docs: { description: 'use another module of src/ only through its index.ts' },
    schema: [],
    messages: {
      deep: "'{{spec}}' reaches into module '{{module}}'; import it from '{{module}}/index.ts' (export it there if it is part of the module's interface).",
      generated: 'the generated Prisma client is reached only through src/db',
    },
  },
  create(context) {
    const file = context.filename;
    const fromModule = moduleOf(file);
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source.value);
      const targetModule = moduleOf(target);
      const relative = path.relative(SRC, target);
      if (relative.startsWith('..')) return;
      if (relative.startsWith('generated')) {
        if (fromModule !== 'db') context.report({ node: source, messageId: 'generated' });
        return;
      }
      if (targetModule === null || targetModule === fromModule) return;
      if (path.basename(target) === 'index.ts' && path.dirname(target) === path.join(SRC, targetModule))
        return;
      if (allowedDeepImport(fromModule, target)) return;
      context.report({ node: source, messageId: 'deep', data: { spec: source.value, module: targetModule } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

export default { rules: { 'module-entry': moduleEntry } };
