// Prism is started in one place, `@usagebudget/mock/prism` (published: the static mock runs it);
// the private workspaces keep importing it from here.
export { type PrismOptions, prismBin, type StartedPrism, startPrism } from '@usagebudget/mock/prism';
