// The keys view: the key ids (hashes unless hash_keys: false), a key's session, new keys and deletes.
import { call } from './admin.js';
import { button, cell, deleteButton, fill, onJsonSubmit } from './view.js';

const TEMPLATE = { rate: 100, per: 60, quota_max: -1, access_rights: {} };

export async function load(report) {
  const { keys } = await call('GET', '/keys');
  fill('#key-list', keys, id => {
    const path = '/keys/' + encodeURIComponent(id) + '?hashed=true';
    const span = document.createElement('span');
    span.append(button('Show', async () => {
      try {
        const detail = document.getElementById('key-detail');
        detail.textContent = JSON.stringify(await call('GET', path), null, 2);
        detail.hidden = false;
      } catch (e) { report(e); }
    }), ' ', deleteButton('key ' + id.slice(0, 12) + '…', path, report, load));
    return [cell(id), cell(span)];
  });
}

export function init(report) {
  const form = document.getElementById('key-form');
  onJsonSubmit(form, 'session', TEMPLATE, report, async session => {
    const answer = await call('POST', '/keys', session);
    document.getElementById('key-created-value').textContent = answer.key;
    document.getElementById('key-created').hidden = false;
    await load(report);
  });
}
