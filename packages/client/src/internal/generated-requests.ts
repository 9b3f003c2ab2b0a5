// The generated request builders alone, and the axios they import, loaded together by
// raw-api-loader.ts. The facade sends what they build with its own attempt loop, so the generated
// classes' layers around them (the `Fp` functions and the API classes, `@usagebudget/client/raw`)
// stay out of its bundle and its calls.
export { default as axios } from 'axios';
export {
  CustomersApiAxiosParamCreator,
  UsageApiAxiosParamCreator,
  UsageBudgetApiAxiosParamCreator,
} from '../generated/api.js';
