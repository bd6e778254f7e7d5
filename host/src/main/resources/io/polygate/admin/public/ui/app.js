// The dashboard's entry: sign-in (the secret checked with GET /health and kept in this tab's
// sessionStorage only), the tabs, and one message line for what a view reports.
import { AdminCallError, call, forget, remember, secret } from './admin.js';
import * as apis from './apis.js';
import * as bundles from './bundles.js';
import * as keys from './keys.js';
import * as live from './live.js';
import * as policies from './policies.js';

const VIEWS = { live, apis, keys, policies, bundles };
const $ = id => document.getElementById(id);

/** Shows a success text, or an error (an AdminCallError signs out on 401). */
function report(what) {
  const line = $('message');
  if (what instanceof Error) {
    if (what instanceof AdminCallError && what.status === 401) return signOut('The admin secret was refused: sign in again.');
    line.textContent = what.message;
    line.className = 'error';
  } else {
    line.textContent = what;
    line.className = 'ok';
  }
  line.hidden = false;
}

function show(tab) {
  for (const [name, view] of Object.entries(VIEWS)) {
    $(name).hidden = name !== tab;
    if (name !== tab && view.stop) view.stop();
  }
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === tab);
  $('message').hidden = true;
  const view = VIEWS[tab];
  if (view.start) view.start(report);
  else view.load(report).catch(report);
  history.replaceState(null, '', '#' + tab);
}

function signedIn() {
  $('sign-in').hidden = true;
  $('tabs').hidden = false;
  $('sign-out').hidden = false;
  const tab = location.hash.slice(1);
  show(tab in VIEWS ? tab : 'live');
}

function signOut(why) {
  forget();
  live.stop();
  for (const name of Object.keys(VIEWS)) $(name).hidden = true;
  $('tabs').hidden = true;
  $('sign-out').hidden = true;
  $('message').hidden = true;
  $('sign-in').hidden = false;
  const error = $('sign-in-error');
  error.textContent = why || '';
  error.hidden = !why;
}

$('sign-in-form').addEventListener('submit', async event => {
  event.preventDefault();
  const given = $('secret').value;
  try {
    await call('GET', '/health', undefined, given);
  } catch (e) {
    // a store that is down is a 503 with the secret accepted
    if (!(e instanceof AdminCallError) || e.status === 401 || e.status === 429) {
      $('sign-in-error').textContent = e.message;
      $('sign-in-error').hidden = false;
      return;
    }
  }
  remember(given);
  $('secret').value = '';
  $('sign-in-error').hidden = true;
  signedIn();
});
$('sign-out').addEventListener('click', () => signOut());
for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => show(b.dataset.tab));
for (const view of Object.values(VIEWS)) view.init?.(report);

if (secret()) signedIn();
