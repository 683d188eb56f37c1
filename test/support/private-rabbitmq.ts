import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './hub-process.ts';

const run = promisify(execFile);

/**
 * A RabbitMQ node of the test's own — node name, AMQP, management and distribution ports, data
 * and log directories under a temp dir — so a fault test can stop and restart a broker without
 * disturbing the shared node on 5672 that other tests and sessions use. Its state (users, quorum
 * queues, persistent messages) survives `restart()`, as a production broker's would.
 *
 * The Debian wrapper in /usr/sbin switches to the `rabbitmq` user and drops output into
 * /var/log/rabbitmq; the scripts behind it run the node as whoever we are, so we prefer them.
 * HOME points at the temp dir: the node and rabbitmqctl share an Erlang cookie nobody else reads.
 */
export type PrivateRabbitmq = {
  nodeName: string;
  amqpPort: number;
  managementPort: number;
  /** `amqp://guest:guest@127.0.0.1:<port>` (guest may log in from localhost). */
  amqpUrl: string;
  managementUrl: string;
  /** The node's own log, for a failure message. */
  logTail(): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the node (as an operator would, not a crash) and starts it again on the same data. */
  restart(): Promise<void>;
  /** Stops the node and removes its directory. */
  destroy(): Promise<void>;
};

const SCRIPT_DIR = process.env.LIENTHONG_RABBITMQ_SCRIPTS ?? '/usr/lib/rabbitmq/bin';

function script(name: string): string {
  const candidate = path.join(SCRIPT_DIR, name);
  return fs.existsSync(candidate) ? candidate : name;
}

export async function startPrivateRabbitmq(label = 'fault'): Promise<PrivateRabbitmq> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `lienthong-rabbitmq-${label}-`));
  const nodeName = `lienthong-${label}-${randomBytes(3).toString('hex')}@localhost`;
  const [amqpPort, managementPort, distPort] = [await freePort(), await freePort(), await freePort()];
  const configFile = path.join(base, 'rabbitmq.conf');
  // The listener comes from RABBITMQ_NODE_PORT; naming it here too would bind it twice.
  fs.writeFileSync(
    configFile,
    [
      `management.tcp.ip = 127.0.0.1`,
      `management.tcp.port = ${managementPort}`,
      // A shared 2-core machine: the default 50 MB free-disk alarm is fine, memory alarms are not wanted.
      `vm_memory_high_watermark.relative = 0.8`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(base, 'enabled_plugins'), '[rabbitmq_management].\n');
  // The system's rabbitmq-env.conf names the shared node; ours names nothing.
  fs.writeFileSync(path.join(base, 'rabbitmq-env.conf'), '');
  const pidFile = path.join(base, 'rabbitmq.pid');
  const logFile = path.join(base, 'server.out');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: base,
    LANG: 'C.UTF-8',
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: path.join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(base, 'log'),
    RABBITMQ_CONFIG_FILE: configFile,
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(base, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: path.join(base, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(base, 'enabled_plugins'),
    RABBITMQ_PID_FILE: pidFile,
  };
  const ctl = (args: string[], timeoutMs = 90_000) =>
    run(script('rabbitmqctl'), ['-n', nodeName, ...args], { env, timeout: timeoutMs });
  const managementUrl = `http://guest:guest@127.0.0.1:${managementPort}`;

  const managementReady = async (deadline: number) => {
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${managementPort}/api/overview`, {
          headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
        });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`management API of ${nodeName} did not come up`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  /** When rabbitmqctl cannot reach the node: end the process we started, by its id. */
  const killByPidFile = () => {
    try {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // no pid file, or already gone
    }
  };

  let running = false;
  const node: PrivateRabbitmq = {
    nodeName,
    amqpPort,
    managementPort,
    amqpUrl: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    managementUrl,
    logTail: () => {
      try {
        return fs.readFileSync(logFile, 'utf8').slice(-4000);
      } catch {
        return '(no log)';
      }
    },
    async start() {
      fs.rmSync(pidFile, { force: true });
      const out = fs.openSync(logFile, 'a');
      const child = spawn(script('rabbitmq-server'), [], {
        env,
        stdio: ['ignore', out, out],
        detached: true,
      });
      fs.closeSync(out);
      child.unref();
      try {
        // `wait` returns once the pid file exists and the rabbit application (with plugins) runs.
        await ctl(['wait', pidFile, '--timeout', '90']);
        await managementReady(Date.now() + 30_000);
      } catch (error) {
        killByPidFile();
        throw new Error(
          `private RabbitMQ ${nodeName} did not start: ${(error as Error).message}\n${node.logTail()}`,
          { cause: error },
        );
      }
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      try {
        // With the pid file, `stop` returns only after the OS process is gone.
        await ctl(['stop', pidFile]);
      } catch {
        killByPidFile();
      }
    },
    async restart() {
      await node.stop();
      await node.start();
    },
    async destroy() {
      await node.stop();
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await node.start();
  } catch (error) {
    fs.rmSync(base, { recursive: true, force: true });
    throw error;
  }
  return node;
}
