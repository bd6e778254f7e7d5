// The bundles view: each bundle's version, status and last error, what every live node reports
// (GET /bundles/NAME), uploads of a zip and deletes.
import { call } from './admin.js';
import { cell, deleteButton, fill, onSubmit, showFieldErrors } from './view.js';

export async function load(report) {
  const bundles = await call('GET', '/bundles');
  const details = await Promise.all(bundles.map(b => call('GET', '/bundles/' + encodeURIComponent(b.name)).catch(() => b)));
  fill('#bundle-list', details, b => [
    cell(b.name), cell(b.version), status(b.status), cell(b.last_error), cell((b.apis || []).join(', ')),
    cell(nodes(b.nodes || [])),
    cell(deleteButton(`bundle ${b.name}`, '/bundles/' + encodeURIComponent(b.name), report, load))]);
}

function status(value) {
  const td = cell(value);
  td.className = 'status status-' + value;
  return td;
}

/** One line per node: node, version, status and its error. */
function nodes(list) {
  const ul = document.createElement('ul');
  ul.className = 'nodes';
  for (const n of list) {
    const li = document.createElement('li');
    li.textContent = `${n.node}: ${n.version ?? '–'} ${n.status}` + (n.error ? ` (${n.error})` : '');
    ul.append(li);
  }
  return ul;
}

export function init(report) {
  const form = document.getElementById('bundle-form');
  onSubmit(form, report, async () => {
    const name = form.elements.name.value.trim();
    const zip = form.elements.zip.files[0];
    if (!zip) {
      showFieldErrors(form, { fieldErrors: [{ field: '', error: 'choose a zip file' }] });
      return;
    }
    const answer = await call('POST', '/bundles?name=' + encodeURIComponent(name), zip);
    report(`bundle ${answer.name}: version ${answer.version} ${answer.status}` + (answer.changed ? '' : ' (unchanged)'));
    form.reset();
    await load(report);
  });
}
