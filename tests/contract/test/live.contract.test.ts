import { defineContractSuite } from '../src/contract-suite.js';

defineContractSuite('live');
