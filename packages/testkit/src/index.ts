export { type PrismOptions, prismBin, type StartedPrism, startPrism } from './prism.js';
