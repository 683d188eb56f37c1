// Every node is built with createElement and text nodes, never innerHTML: whatever the API returns
// (a subject, a sender's name, a rejection reason) is shown as text and cannot become markup.

/** h('a', { href: '#/x', onclick: fn }, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'value') node.value = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(target, ...children) {
  target.replaceChildren();
  append(target, children);
}

/** A definition list of label/value pairs, skipping empty values. */
export function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs
      .filter(([, value]) => value !== undefined && value !== null && value !== '')
      .map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
  );
}

/** Vietnam local time, as people at the agencies read it. */
export function localTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour12: false });
}

export function localDate(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleDateString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' });
}

/**
 * Asks before an action that cannot be undone (reject, lock, revoke, mark duplicate): a modal
 * dialog (the browser keeps focus inside it, Esc cancels) naming what will happen, with the safe
 * choice focused first. Resolves true only when the person chose `confirm`.
 */
export function askFirst({ question, detail, confirm, cancel }) {
  const dialog = h(
    'dialog',
    { class: 'confirm', id: 'confirm-dialog', 'aria-labelledby': 'confirm-question' },
    h('h2', { id: 'confirm-question' }, question),
    detail ? h('p', { class: 'confirm-detail' }, detail) : null,
    h(
      'form',
      { method: 'dialog', class: 'confirm-actions' },
      h('button', { value: 'cancel', id: 'confirm-no', autofocus: true }, cancel),
      h('button', { value: 'confirm', id: 'confirm-yes', class: 'danger' }, confirm),
    ),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    dialog.showModal();
  });
}

/** A passage's text as nodes, the query's words in <mark> (text nodes only: never parsed as markup). */
export function markedText(found) {
  const parts = [];
  let at = 0;
  for (const [start, end] of found.marks ?? []) {
    if (start < at || end > found.text.length || end <= start) continue;
    if (start > at) parts.push(found.text.slice(at, start));
    parts.push(h('mark', {}, found.text.slice(start, end)));
    at = end;
  }
  if (at < found.text.length) parts.push(found.text.slice(at));
  return parts;
}

/**
 * A search result's title and the passage under it: a match in the subject is marked in the title
 * itself; one elsewhere (the document's text, notation, sender) is shown below, "…" where it goes on.
 */
export function titleWithPassage(title, href, found, label) {
  if (found?.field === 'subject' && !found.cut?.[0] && !found.cut?.[1] && found.text === title)
    return h('a', { href }, markedText(found));
  return [
    h('a', { href }, title),
    found?.text
      ? h(
          'p',
          { class: 'passage' },
          label ? h('span', { class: 'passage-field' }, `${label}: `) : null,
          found.cut?.[0] ? '…' : null,
          markedText(found),
          found.cut?.[1] ? '…' : null,
        )
      : null,
  ];
}
