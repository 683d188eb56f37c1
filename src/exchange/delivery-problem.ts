import { said, type Said } from '../shared/index.ts';

/**
 * Why a delivery has not gone yet (or has failed), in words a clerk can act on, from the relay's
 * last error. The errors are the hub's own (relay-worker.ts, the mail channel, the broker
 * connection); each kind says whether the hub keeps trying and who can fix it. The technical text
 * stays in the relay view for admins.
 */
const KINDS: { test: RegExp; words: Said }[] = [
  {
    test: /no outbound mail server|LIENTHONG_SMTP_RELAY_URL/i,
    words: said(
      'Máy chủ chưa được cấu hình để gửi thư điện tử, nên cơ quan nhận bằng thư điện tử chưa nhận được. Hãy báo quản trị viên trung tâm dữ liệu; văn bản sẽ được gửi khi máy chủ thư được cấu hình.',
      'The hub has no outgoing mail server configured, so a recipient by e-mail cannot receive it yet. Tell the data centre’s administrator; it goes out once the mail server is configured.',
    ),
  },
  {
    test: /has no e-mail address in the directory/i,
    words: said(
      'Cơ quan nhận chưa có địa chỉ thư điện tử trong danh bạ. Hãy báo quản trị viên bổ sung địa chỉ.',
      'The recipient has no e-mail address in the directory. Ask an administrator to add one.',
    ),
  },
  {
    test: /unroutable|no inbox queue/i,
    words: said(
      'Cơ quan nhận chưa có hộp thư trên trục liên thông; hệ thống đang tạo hộp thư và sẽ tự gửi lại.',
      'The recipient has no inbox on the relay yet; the hub is making one and will send again.',
    ),
  },
  {
    test: /broker|amqp|channel (closed|ended)|connection (closed|lost|refused)|ECONNREFUSED|not connected/i,
    words: said(
      'Chưa kết nối được tới máy chủ chuyển tin; hệ thống sẽ tự gửi lại khi kết nối trở lại.',
      'The message broker cannot be reached; the hub sends again once it is back.',
    ),
  },
  {
    test: /timed? ?out|timeout|ETIMEDOUT/i,
    words: said(
      'Nơi nhận không trả lời kịp; hệ thống sẽ tự gửi lại.',
      'The recipient did not answer in time; the hub will send again.',
    ),
  },
  {
    test: /\b5\d\d\b.*(mail|smtp|recipient|mailbox)|(mail|smtp|recipient|mailbox).*\b5\d\d\b/i,
    words: said(
      'Máy chủ thư của nơi nhận từ chối thư. Hãy kiểm tra địa chỉ thư điện tử của cơ quan nhận trong danh bạ.',
      'The recipient’s mail server refused the message. Check the recipient’s e-mail address in the directory.',
    ),
  },
  {
    test: /axis/i,
    words: said(
      'Trục liên thông văn bản quốc gia chưa nhận; hệ thống sẽ tự gửi lại.',
      'The national document axis has not taken it yet; the hub will send again.',
    ),
  },
];

const UNKNOWN = said(
  'Chưa gửi được; hệ thống sẽ tự gửi lại. Nếu kéo dài, hãy báo quản trị viên (chi tiết ở trang Chuyển phát).',
  'Not sent yet; the hub will try again. If it lasts, tell an administrator (details on the Relay page).',
);

const RETRYING = /[;,.]? ?(hệ thống (đang|sẽ)[^.]*\.?|văn bản sẽ được gửi[^.]*\.?)$/;
const RETRYING_EN = /[;,.]? ?((the hub|it) (is making|will|sends|goes)[^.]*\.?)$/i;

/**
 * The words for a delivery's last error. `gaveUp`: the relay stopped trying (state failed); the
 * words then say so and who can send it again, instead of promising another attempt.
 */
export function deliveryProblemWords(lastError: string, gaveUp = false): Said {
  const words = KINDS.find((kind) => kind.test.test(lastError))?.words ?? UNKNOWN;
  if (!gaveUp) return words;
  const cause = said(
    words.vi.replace(RETRYING, '.').replace(/\.\.$/, '.'),
    words.en.replace(RETRYING_EN, '.').replace(/\.\.$/, '.'),
  );
  return said(
    `Đã ngừng gửi sau nhiều lần thử. ${cause.vi} Khi đã khắc phục, quản trị viên gửi lại ở trang Chuyển phát.`,
    `Sending stopped after many attempts. ${cause.en} Once it is fixed, an administrator sends it again from the Relay page.`,
  );
}
