import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A private Postfix instance (own config and queue directory, one smtpd on a loopback port of its
 * own) for the SMTP bench: it accepts into its own queue, then discards. Never touches port 25
 * or the system instance. Needs root.
 */
export type PrivatePostfix = { port: number; queueDir: string; stop(): void };

const MASTER_CF = (port: number) => `
127.0.0.1:${port} inet n - n - 100 smtpd
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

const MAIN_CF = (dir: string) => `
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench.local
mydestination = lienthong.local
local_recipient_maps =
local_transport = discard
default_transport = discard
relay_transport = discard
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
mynetworks = 127.0.0.0/8
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
message_size_limit = 52428800
maillog_file_prefixes = ${dir}
maillog_file = ${dir}/maillog
default_process_limit = 100
biff = no
`;

export function postfixAvailable(): boolean {
  return fs.existsSync('/usr/sbin/postfix') && process.getuid?.() === 0;
}

export function startPrivatePostfix(port: number): PrivatePostfix {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-postfix-'));
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, 'queue'));
  fs.mkdirSync(path.join(dir, 'data'));
  execFileSync('chown', ['postfix', path.join(dir, 'data')]);
  fs.writeFileSync(path.join(dir, 'main.cf'), MAIN_CF(dir));
  fs.writeFileSync(path.join(dir, 'master.cf'), MASTER_CF(port));
  execFileSync('postfix', ['-c', dir, 'start'], { stdio: 'pipe' });
  return {
    port,
    queueDir: path.join(dir, 'queue'),
    stop() {
      try {
        execFileSync('postfix', ['-c', dir, 'stop'], { stdio: 'pipe' });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
