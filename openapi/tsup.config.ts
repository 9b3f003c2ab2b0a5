import { defineConfig } from 'tsup';

// The spec itself (index.*) is written by scripts/bundle.mjs; tsup builds the TypeScript entries.
export default defineConfig({
  entry: {
    validator: 'src/validator.ts',
    pointer: 'src/pointer.ts',
    operations: 'src/operations.ts',
    rules: 'src/rules.ts',
    limits: 'src/generated/limits.ts',
    'json-numbers': 'src/json-numbers.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: false,
  sourcemap: true,
  target: 'node20',
});
