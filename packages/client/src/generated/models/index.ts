export * from './api-fault';
export * from './key-value-pair';
export * from './link';
export * from './resource-attributes';
export * from './resource-links';
export * from './spending-budget';
export * from './throttle-fault';
