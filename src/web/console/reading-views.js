// The text read from received files (src/reading): on an item's page beside the PDF viewer, and
// the readers' page for admins. States and reasons are catalogue keys put into words here.
import { api, errorText } from './api.js';
import { h, localTime, replace } from './dom.js';
import { listTable } from './admin-kit.js';
import { t } from './i18n.js';

const reasonWords = (reason) => (reason ? (t('readingReasons')[reason] ?? t('readingReasonUnknown')) : '');

/** Where the reading of one file stands, in words: đang chờ đọc, đã đọc (n/m trang), không đọc được: … */
export function readingStateText(ft) {
  if (!ft) return '';
  switch (ft.state) {
    case 'pending':
      return t('readingPending');
    case 'reading':
      return t('readingNow');
    case 'read': {
      const pages = ft.pagesTotal ? t('readingPages', ft.pagesRead ?? 0, ft.pagesTotal) : '';
      const how = ft.method === 'ocr' ? t('readingByOcr') : '';
      const part = ft.reason ? `: ${reasonWords(ft.reason)}` : '';
      return `${t('readingRead')}${pages ? ` (${pages})` : ''}${how ? `, ${how}` : ''}${part}`;
    }
    case 'not_read':
      return `${t('readingNotRead')}: ${reasonWords(ft.reason)}`;
    case 'failed':
      return `${t('readingFailed')}: ${reasonWords(ft.reason)}`;
    default:
      return ft.state;
  }
}

/**
 * "Nội dung đọc được": every readable file's state and text, loaded once for the item; `beside(a)`
 * gives the panel the PDF viewer shows next to the file.
 */
export function itemTextSection(item) {
  const readable = (item.attachments ?? []).filter((a) => a.fileText);
  const texts = new Map();
  const section = h('section', { class: 'read-text', id: 'read-text' });
  const panel = (file) =>
    h(
      'div',
      { class: 'read-text-file', 'data-file': file.name },
      h('h3', {}, file.name),
      h('p', { class: `reading-state ${file.state}` }, readingStateText(file)),
      file.text ? h('pre', { class: 'read-text-body', lang: 'vi' }, file.text) : null,
    );
  // Files still waiting are asked for again every 3 s while the page shows them.
  const load = () =>
    api('GET', `/api/v1/intake/${item.id}/text`).then((result) => {
      if (!result.ok)
        return replace(section, h('h2', {}, t('readText')), h('p', { class: 'error' }, errorText(result)));
      for (const file of result.data.files) texts.set(file.attachmentId, file);
      replace(section, h('h2', {}, t('readText')), result.data.files.map(panel));
      if (result.data.files.some((f) => f.state === 'pending' || f.state === 'reading'))
        setTimeout(() => {
          if (section.isConnected) void load();
        }, 3000);
    });
  const loaded = readable.length === 0 ? Promise.resolve() : load();
  return {
    section: readable.length === 0 ? null : section,
    loaded,
    beside: (a) => {
      const file = texts.get(a.id);
      return file
        ? h(
            'aside',
            { class: 'viewer-text', 'aria-label': t('readText') },
            h('h3', {}, t('readText')),
            panel(file),
          )
        : null;
    },
  };
}

/** The readers' page for admins: backlog, pace, what could not be read and why. */
export async function readingAdminView(main) {
  const result = await api('GET', '/api/v1/admin/reading');
  const refresh = h('button', { type: 'button', onclick: () => void readingAdminView(main) }, t('refresh'));
  if (!result.ok)
    return replace(
      main,
      h('h1', {}, t('readingTitle')),
      h('p', { class: 'error' }, errorText(result)),
      refresh,
    );
  const r = result.data;
  const card = (id, label, value) =>
    h('section', { id }, h('h3', {}, label), h('p', { class: 'big' }, String(value)));
  replace(
    main,
    h('h1', {}, t('readingTitle')),
    h('p', {}, refresh),
    h(
      'div',
      { class: 'cards' },
      card('reading-backlog', t('readingBacklog'), r.backlog),
      card('reading-now', t('readingNowCount'), r.reading),
      card('reading-last-hour', t('readingLastHour'), r.readLastHour),
      card('reading-pace', t('readingPace'), r.pagesPerSecond.toLocaleString('vi-VN')),
    ),
    r.oldestWaitingSince && h('p', { class: 'hint' }, t('readingOldest', localTime(r.oldestWaitingSince))),
    h('h2', {}, t('readingFailures')),
    listTable(
      'reading-failures',
      [t('state'), t('reason'), t('readingCount')],
      r.failures.map((f) => [
        f.state === 'failed' ? t('readingFailed') : t('readingNotRead'),
        reasonWords(f.reason),
        String(f.count),
      ]),
    ),
    h('h2', {}, t('readingLatest')),
    listTable(
      'reading-latest',
      [t('readingFinished'), t('readingFile'), t('readingAgency'), t('state'), t('readingSeconds')],
      r.latest.map((f) => [
        localTime(f.finishedAt),
        h('a', { href: `#/intake/${f.intakeItemId}` }, f.name),
        f.agency,
        readingStateText(f),
        f.durationMs === null
          ? ''
          : (f.durationMs / 1000).toLocaleString('vi-VN', { maximumFractionDigits: 1 }),
      ]),
    ),
  );
}
