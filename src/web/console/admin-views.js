// Admin pages: the relay dashboard with dead letters (requeue; the payload and discard are in
// dead-letter-views.js, the refused submissions in refusal-views.js). The directory is in directory-views.js.
import { api, errorText } from './api.js';
import { h, replace } from './dom.js';
import { deliveryStateLabel, lang, t } from './i18n.js';
import { throughputChart } from './chart.js';
import { onLive } from './live.js';
import { deadReasonWords, letterKindWords } from './dead-letter-views.js';

function table(id, headings, rows) {
  if (rows.length === 0) return h('p', {}, t('empty'));
  return h(
    'table',
    { class: 'list', id },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headings.map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}

/**
 * The relay dashboard. Its data sections are drawn again when a relay event or a new depth
 * snapshot arrives (live.js), so the chart, counts, inboxes and dead letters follow the relay
 * without a reload; the requeue outcome line stays put across redraws.
 */
export async function relayView(main) {
  const live = h('div', { id: 'relay-live' });
  const outcome = h('p', { role: 'status', id: 'requeue-outcome' });
  const first = await drawRelay(live, outcome);
  if (!first) return replace(main, h('h1', {}, t('relayTitle')), live);
  replace(main, h('h1', {}, t('relayTitle')), live, outcome);
  onLive(live, ['relay', 'depths'], () => void drawRelay(live, outcome), 1000);
}

async function drawRelay(target, outcome) {
  const [relay, dead, throughput] = await Promise.all([
    api('GET', '/api/v1/relay'),
    api('GET', '/api/v1/relay/dead-letters?limit=100'),
    api('GET', '/api/v1/relay/throughput'),
  ]);
  if (!relay.ok) {
    replace(target, h('p', { class: 'error' }, errorText(relay)));
    return false;
  }
  const r = relay.data;
  const inboxes = Array.isArray(r.inboxes)
    ? table(
        'inboxes',
        [t('organId'), t('queueName'), t('messages'), t('consumers')],
        r.inboxes.map((i) => [
          i.organId,
          // An inbox under the name earlier hubs gave (no secret part) tells other partners its depth.
          i.queue === `lienthong.inbox.${i.organId}`
            ? h('span', {}, i.queue, h('br'), h('small', { class: 'warning' }, t('guessableInbox')))
            : i.queue,
          i.missing ? t('missingQueue') : i.messages,
          i.missing ? '' : i.consumers,
        ]),
      )
    : h('p', { class: 'error' }, r.inboxes?.words?.[lang] ?? r.inboxes?.words?.vi ?? t('unavailable'));
  replace(
    target,
    ...(r.channelWarnings ?? []).map(channelWarning),
    h(
      'section',
      { class: 'throughput-section' },
      h('h2', {}, t('throughputTitle')),
      throughput.ok
        ? throughputChart(throughput.data.minutes)
        : h('p', { class: 'error' }, errorText(throughput)),
    ),
    h(
      'div',
      { class: 'cards' },
      h(
        'section',
        {},
        h('h2', {}, t('deliveries')),
        table(
          'deliveries',
          [t('state'), t('count')],
          Object.entries(r.deliveries ?? {}).map(([state, count]) => [deliveryStateLabel(state), count]),
        ),
      ),
      h(
        'section',
        {},
        h('h2', {}, t('outbox')),
        table(
          'outbox',
          [t('kind'), t('state'), t('count')],
          (r.outbox ?? []).map((o) => [
            t('outboxKinds')[o.kind] ?? o.kind,
            t('outboxStates')[o.state] ?? o.state,
            o.count,
          ]),
        ),
      ),
      h('section', {}, h('h2', {}, t('held')), h('p', { class: 'big' }, String(r.heldPackages ?? 0))),
    ),
    ...(r.nationalAxis ? nationalAxis(r.nationalAxis) : []),
    h('h2', {}, t('inboxes')),
    inboxes,
    h('h2', {}, t('deadLetters')),
    deadLetters(dead, outcome),
  );
  return true;
}

/** A channel that cannot work as the hub is configured: what is wrong, whom it leaves out, what waits. */
function channelWarning(warning) {
  return h(
    'section',
    { class: 'warning-box', role: 'alert', 'data-channel': warning.channel },
    h('h2', {}, t('channelWarningTitle')),
    h('p', {}, warning.words[lang] ?? warning.words.vi),
    h('p', {}, t('channelWarningAgencies', warning.agencies.length)),
    h(
      'ul',
      {},
      warning.agencies.map((a) => h('li', {}, a.name, ' ', h('span', { class: 'organ-id' }, a.organId))),
    ),
    h('p', {}, t('channelWarningWaiting', warning.waiting)),
  );
}

/** The national axis connector: whether it answers, the last poll, what waits, what was refused. */
function nationalAxis(axis) {
  const when = (iso) => (iso ? new Date(iso).toLocaleString('vi-VN') : t('axisNever'));
  return [
    h('h2', {}, t('axisTitle')),
    h(
      'dl',
      { class: 'facts', id: 'national-axis' },
      h('dt', {}, t('state')),
      h('dd', { class: axis.reachable === 'down' ? 'error' : '' }, t('axisReachable')[axis.reachable] ?? ''),
      ...(axis.reachable === 'down' && axis.lastError
        ? [h('dt', {}, t('reason')), h('dd', {}, axis.lastError)]
        : []),
      h('dt', {}, t('axisLastPoll')),
      h('dd', {}, when(axis.lastPollAt)),
      h('dt', {}, t('axisLastListed')),
      h('dd', {}, String(axis.lastListed ?? 0)),
      h('dt', {}, t('axisWaitingOutgoing')),
      h('dd', {}, String(axis.waitingOutgoing)),
      h('dt', {}, t('axisUnacknowledged')),
      h('dd', {}, String(axis.unacknowledged)),
      h('dt', {}, t('axisUnreadable')),
      h('dd', {}, String(axis.unreadable)),
    ),
    h('h3', {}, t('axisRefusals')),
    table(
      'axis-refusals',
      [t('kind'), t('sender'), t('organId'), t('axisDocId'), t('reason')],
      (axis.refusals ?? []).map((r) => [
        t('axisDirection')[r.direction] ?? '',
        r.from ?? '',
        r.to ?? '',
        r.axisDocId ?? '',
        r.reason,
      ]),
    ),
  ];
}

function deadLetters(result, outcome) {
  if (!result.ok) return h('p', { class: 'error' }, `${t('unavailable')}: ${errorText(result)}`);
  const requeue = async (letter, button) => {
    button.disabled = true;
    const done = await api(
      'POST',
      `/api/v1/relay/dead-letters/${encodeURIComponent(letter.messageId)}/requeue`,
    );
    outcome.textContent = done.ok ? t('requeued') : errorText(done);
    if (!done.ok) button.disabled = false;
  };
  const rows = result.data.deadLetters.map((letter) => {
    const button = h('button', { type: 'button' }, t('requeue'));
    button.addEventListener('click', () => void requeue(letter, button));
    const view = letter.messageId
      ? h('a', { href: `#/dead-letters/${encodeURIComponent(letter.messageId)}` }, t('viewPayload'))
      : '';
    return [
      letter.messageId ?? '',
      letterKindWords(letter.type),
      letter.from ?? '',
      (letter.routingKeys ?? []).join(', '),
      deadReasonWords(letter.reason),
      letter.queue ?? '',
      letter.messageId ? h('span', { class: 'actions' }, view, ' ', button) : '',
    ];
  });
  return table(
    'dead-letters',
    [t('messageId'), t('kind'), t('sender'), t('goingTo'), t('reason'), t('deadQueue'), ''],
    rows,
  );
}
