import { parentPort, workerData } from 'node:worker_threads';
import { cachedTrustStore, fileTrustStore } from '../../signing/index.ts';
import { clamdScanner } from '../clamd-scanner.ts';
import { analyzeMessage, type AnalysisPorts } from '../message-analysis.ts';
import type { AnalysisWorkerConfig, AnalysisReply, AnalysisRequest } from './analysis-pool.ts';

// One reader thread: builds the analysis ports from plain configuration (a trust store cannot be
// posted across threads) and answers one request at a time.
const config = workerData as AnalysisWorkerConfig;
const ports: AnalysisPorts = {
  trust: cachedTrustStore(fileTrustStore(config.trustPaths)),
  ...(config.clamd ? { scanner: clamdScanner(config.clamd) } : {}),
  parseTimeoutMs: config.parseTimeoutMs,
  ...(config.secondReading === undefined ? {} : { secondReading: config.secondReading }),
};

parentPort?.on('message', (request: AnalysisRequest) => {
  analyzeMessage(Buffer.from(request.raw), new Date(request.receivedAt), ports).then(
    (analysis) => {
      parentPort?.postMessage({ id: request.id, analysis } satisfies AnalysisReply);
    },
    (error: unknown) => {
      parentPort?.postMessage({ id: request.id, error: (error as Error).message } satisfies AnalysisReply);
    },
  );
});
