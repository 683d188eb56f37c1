// Configuration: the environment, validated and frozen. The only reader of process.env.
export {
  ENVIRONMENT_VARIABLES,
  loadConfig,
  redactConfig,
  redactUrl,
  type Config,
  type HubConfig,
} from './load-config.ts';
