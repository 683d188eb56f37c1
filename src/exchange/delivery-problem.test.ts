import { describe, expect, it } from 'vitest';
import { deliveryProblemWords } from './delivery-problem.ts';

describe('why a delivery has not gone, in words', () => {
  it('says an unconfigured mail server is for the administrator, with no variable name', () => {
    const words = deliveryProblemWords(
      'no outbound mail server (LIENTHONG_SMTP_RELAY_URL) is configured, so 000.00.12.H53 cannot receive packages by e-mail',
    );
    expect(words.vi).toMatch(/^Máy chủ chưa được cấu hình để gửi thư điện tử/);
    expect(words.vi).toContain('quản trị viên');
    expect(`${words.vi} ${words.en}`).not.toContain('LIENTHONG');
  });

  it('names the broker, a missing inbox, a missing address and a refusing mail server apart', () => {
    expect(deliveryProblemWords('unroutable: no inbox queue bound for 000.00.12.H53').vi).toMatch(/hộp thư/);
    expect(deliveryProblemWords('Channel closed by server: 320 (CONNECTION-FORCED)').vi).toMatch(
      /máy chủ chuyển tin/,
    );
    expect(deliveryProblemWords('000.00.12.H53 has no e-mail address in the directory').vi).toMatch(
      /địa chỉ thư/,
    );
    expect(deliveryProblemWords('550 5.1.1 mailbox unavailable').vi).toMatch(/từ chối thư/);
    expect(deliveryProblemWords('something nobody foresaw').vi).toMatch(
      /^Chưa gửi được; hệ thống sẽ tự gửi lại/,
    );
  });

  it('promises no further attempt once the relay gave up, and says who sends it again', () => {
    const words = deliveryProblemWords('Channel closed by server: 320 (CONNECTION-FORCED)', true);
    expect(words.vi).toMatch(/^Đã ngừng gửi sau nhiều lần thử\. Chưa kết nối được tới máy chủ chuyển tin\. /);
    expect(words.vi).not.toContain('sẽ tự gửi lại');
    expect(words.vi).toContain('quản trị viên gửi lại ở trang Chuyển phát');
    expect(words.en).not.toMatch(/will send again|sends again/);
  });
});
