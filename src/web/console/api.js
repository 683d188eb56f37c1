// The JSON API with the session cookie; state-changing calls carry the session's CSRF token.
let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

/** Resolves to { status, ok, data }; never throws for an HTTP error, only for a network failure. */
export async function api(method, url, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  // A session that ended (signed out elsewhere, password changed, expired) sends the person back to sign in.
  if (response.status === 401 && url !== '/api/v1/auth/login' && url !== '/api/v1/auth/session')
    window.dispatchEvent(new Event('lienthong:signed-out'));
  return { status: response.status, ok: response.ok, data };
}

// What a refusal means when the hub gave no words for it: by HTTP status, never its English message.
const BY_STATUS = {
  vi: {
    400: 'Yêu cầu chưa đúng: hãy kiểm tra các ô đã nhập.',
    401: 'Phiên làm việc đã hết: hãy đăng nhập lại.',
    403: 'Bạn không có quyền làm việc này.',
    404: 'Không tìm thấy: có thể nó đã bị xóa, hoặc không thuộc cơ quan của bạn.',
    409: 'Việc này không làm được ở trạng thái hiện tại: hãy tải lại trang.',
    413: 'Tệp hoặc nội dung quá lớn.',
    415: 'Loại tệp này không được nhận.',
    422: 'Không làm được với nội dung này: hãy kiểm tra lại.',
    429: 'Quá nhiều lần thử: hãy đợi một lát rồi thử lại.',
    503: 'Hệ thống tạm thời chưa sẵn sàng: hãy thử lại sau ít phút.',
    other: 'Đã có lỗi; hãy thử lại. Nếu lỗi lặp lại, hãy báo quản trị viên.',
  },
  en: {
    400: 'The request is not right: check what you entered.',
    401: 'Your session ended: sign in again.',
    403: 'You may not do this.',
    404: 'Not found: it may have been removed, or it is not your agency’s.',
    409: 'This cannot be done in the current state: reload the page.',
    413: 'The file or content is too large.',
    415: 'This kind of file is not accepted.',
    422: 'This cannot be done with this content: check it.',
    429: 'Too many attempts: wait a moment and try again.',
    503: 'The hub is not ready: try again in a few minutes.',
    other: 'Something went wrong; try again. If it happens again, tell an administrator.',
  },
};

const language = () => (localStorage.getItem('lienthong.lang') === 'en' ? 'en' : 'vi');

/**
 * A refusal in words for the person reading: the hub's own words in the console's language, else
 * what its status means. The API's `message` (for developers, in English) is shown in English mode
 * only, where the hub gave no words.
 */
export function errorText(result) {
  const lang = language();
  const error = result.data?.error;
  if (error?.text) return error.text[lang] ?? error.text.vi;
  if (lang === 'en' && error?.message) return error.message;
  return BY_STATUS[lang][result.status] ?? BY_STATUS[lang].other;
}

/**
 * Shows a refusal's problems next to the fields they are about (matched by the field's `name`),
 * marks those fields invalid, focuses the first, and returns the words of problems no field of
 * this form took (for the form's own status line). Earlier problems are cleared first.
 */
export function showFieldProblems(form, result) {
  const lang = language();
  for (const old of form.querySelectorAll('.field-problem')) {
    const input = form.querySelector(`[aria-describedby~="${old.id}"]`);
    if (input) {
      input.removeAttribute('aria-invalid');
      const rest = (input.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .filter((id) => id && id !== old.id)
        .join(' ');
      if (rest) input.setAttribute('aria-describedby', rest);
      else input.removeAttribute('aria-describedby');
    }
    old.remove();
  }
  const left = [];
  let first = null;
  for (const problem of result.data?.error?.problems ?? []) {
    const input = problem.field ? form.querySelector(`[name="${CSS.escape(problem.field)}"]`) : null;
    const words = problem[lang] ?? problem.vi;
    if (!input) {
      left.push(words);
      continue;
    }
    const note = document.createElement('span');
    note.className = 'field-problem error';
    note.id = `${input.id || input.name}-problem`;
    note.textContent = words;
    input.after(note);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute(
      'aria-describedby',
      [input.getAttribute('aria-describedby'), note.id].filter(Boolean).join(' '),
    );
    first ??= input;
  }
  first?.focus();
  if (!result.data?.error?.problems?.length) return errorText(result);
  return left.join(' ');
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
