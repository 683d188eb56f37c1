// `npm test` runs this first: the integration tests need a real PostgreSQL and RabbitMQ (with its
// management plugin, which the tests use to make a vhost per test file). When one is missing and we
// run as root on Debian, install and start it; otherwise say exactly what is missing.
import { execSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import process from 'node:process';

const pgUrl = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const amqpUrl = new URL(process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
const mgmtUrl = new URL(process.env.TEST_AMQP_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672');
const canInstall = process.getuid?.() === 0 && fs.existsSync('/etc/debian_version');

function reachable(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(host, port, seconds) {
  for (let i = 0; i < seconds * 2; i += 1) {
    if (await reachable(host, port)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function run(command) {
  console.log(`ensure-test-services: ${command}`);
  execSync(command, { stdio: 'inherit' });
}

// The package lists are fetched once per run, before the first install that needs them.
let packageListsFetched = false;

function aptInstall(...packages) {
  const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  if (!packageListsFetched) run('apt-get update -qq');
  packageListsFetched = true;
  run(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`);
}

const isLocal = (url) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname);
const problems = [];

async function ensurePostgres() {
  const port = pgUrl.port || 5432;
  if (await reachable(pgUrl.hostname, port)) return;
  if (!canInstall || !isLocal(pgUrl)) {
    problems.push(
      `PostgreSQL is not reachable at ${pgUrl.hostname}:${port}. Start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.`,
    );
    return;
  }
  const fresh = !fs.existsSync('/etc/postgresql');
  aptInstall('postgresql');
  const version = fs.readdirSync('/etc/postgresql')[0];
  if (fresh) {
    // The tests connect over TCP as postgres without a password, as on the project's machines.
    const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
    fs.writeFileSync(
      hba,
      `host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n${fs.readFileSync(hba, 'utf8')}`,
    );
  }
  run(`pg_ctlcluster --skip-systemctl-redirect ${version} main start || true`);
  if (!(await waitFor(pgUrl.hostname, port, 30)))
    problems.push('PostgreSQL was started but does not accept connections; see /var/log/postgresql.');
}

async function ensureRabbit() {
  const port = amqpUrl.port || 5672;
  const mgmtPort = mgmtUrl.port || 15672;
  if ((await reachable(amqpUrl.hostname, port)) && (await reachable(mgmtUrl.hostname, mgmtPort))) return;
  if (!canInstall || !isLocal(amqpUrl)) {
    problems.push(
      `RabbitMQ (AMQP ${amqpUrl.hostname}:${port} and management API ${mgmtUrl.hostname}:${mgmtPort}) is not reachable. ` +
        'Start it (rabbitmq-server -detached; rabbitmq-plugins enable rabbitmq_management) or set TEST_AMQP_URL and TEST_AMQP_MANAGEMENT_URL.',
    );
    return;
  }
  aptInstall('rabbitmq-server');
  if (await reachable(amqpUrl.hostname, port)) {
    // A RabbitMQ already runs here without its management API: enable the plugin on it (the README
    // says so before npm test is run).
    console.log('ensure-test-services: RabbitMQ runs here without its management API; enabling the plugin');
    run('rabbitmq-plugins enable rabbitmq_management');
  } else {
    run('rabbitmq-plugins enable --offline rabbitmq_management');
    run('rabbitmq-server -detached');
  }
  if (!(await waitFor(amqpUrl.hostname, port, 90)) || !(await waitFor(mgmtUrl.hostname, mgmtPort, 60))) {
    problems.push(
      'RabbitMQ was started but its AMQP or management port does not answer; see /var/log/rabbitmq.',
    );
  }
}

// Independent tools the tests cross-check our results with (signature verification).
function ensureTools() {
  // Our own test scans (test/fixtures/scans) are rendered, rasterised and read back with these.
  const tools = {
    xmlsec1: 'xmlsec1',
    openssl: 'openssl',
    pdftoppm: 'poppler-utils',
    tesseract: 'tesseract-ocr',
    '/usr/share/tesseract-ocr/5/tessdata/vie.traineddata': 'tesseract-ocr-vie',
    '/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf': 'fonts-dejavu-core',
  };
  const missing = Object.entries(tools).filter(([binary]) =>
    binary.startsWith('/')
      ? !fs.existsSync(binary)
      : spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length === 0) return;
  if (canInstall) aptInstall(...new Set(missing.map(([, pkg]) => pkg)));
  else
    problems.push(
      `missing tools: ${missing.map(([b]) => b).join(', ')} (Debian: apt-get install ${missing.map(([, p]) => p).join(' ')})`,
    );
}

// The file readers (src/reading) run these Debian tools as child processes: the PDF text layer,
// page images for scans, OCR with the Vietnamese model. The hub needs them too (README).
function ensureReadingTools() {
  const packages = ['poppler-utils', 'tesseract-ocr', 'tesseract-ocr-vie'];
  const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  if (canInstall) aptInstall(...missing);
  else
    problems.push(
      `missing tools to read files: ${missing.join(', ')} (Debian: apt-get install ${missing.join(' ')})`,
    );
}

// The IMAP poller tests start their own Dovecot (test/support/test-dovecot.ts) on loopback with a
// private configuration; only the binary is needed, never a running system service.
function ensureDovecot() {
  if (fs.existsSync('/usr/sbin/dovecot')) return;
  if (canInstall) aptInstall('dovecot-imapd');
  else
    problems.push(
      'Dovecot is missing (Debian: apt-get install dovecot-imapd); the IMAP poller tests need its binary.',
    );
}

// The malware test starts its own clamd (src/ingest/test-support/test-clamd.ts) on a private socket
// with a one-signature database (EICAR); only the binary is needed, never the system's daemon or
// freshclam (which cannot reach the mirrors here).
function ensureClamd() {
  if (fs.existsSync('/usr/sbin/clamd')) return;
  if (canInstall) aptInstall('clamav-daemon');
  else
    problems.push(
      'clamd is missing (Debian: apt-get install clamav-daemon); the malware scanning test needs its binary.',
    );
}

// The web console's browser tests (test/browser) drive Debian's Chromium through playwright-core;
// playwright's own browser download needs the network, the Debian package does not.
function ensureChromium() {
  if (fs.existsSync('/usr/bin/chromium')) return;
  if (canInstall) aptInstall('chromium');
  else
    problems.push(
      'Chromium is missing (Debian: apt-get install chromium); the web console browser tests need /usr/bin/chromium.',
    );
}

ensureTools();
ensureReadingTools();
ensureDovecot();
ensureClamd();
ensureChromium();
await ensurePostgres();
await ensureRabbit();
if (problems.length > 0) {
  console.error('npm test needs these services:\n' + problems.map((p) => `  - ${p}`).join('\n'));
  process.exit(1);
}
