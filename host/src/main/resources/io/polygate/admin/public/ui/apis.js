// The APIs view: the definitions, and a form to create or edit one. The form's fields are the
// common ones; every other key of the definition is kept in the "Other fields" JSON, so editing
// an API never drops what the form does not show. The server validates; its field_errors are
// shown beside their fields.
import { call } from './admin.js';
import { button, cell, clearFieldErrors, deleteButton, fill, jsonOf, onSubmit, showFieldErrors } from './view.js';

const FIELDS = ['api_id', 'name', 'listen_path', 'target_url', 'auth', 'custom_middleware_bundle'];
const form = () => document.getElementById('api-form');
let editing = null;   // the api_id being edited, null for a new API

export async function load(report) {
  const apis = await call('GET', '/apis');
  fill('#api-list', apis, api => [
    cell(api.api_id), cell(api.listen_path ?? api.proxy?.listen_path), cell(api.target_url ?? api.proxy?.target_url),
    cell(typeof api.auth === 'string' ? api.auth : ''), cell(api.custom_middleware_bundle),
    cell(actions(api, report))]);
}

function actions(api, report) {
  const span = document.createElement('span');
  span.append(button('Edit', () => open(api), 'edit'), ' ',
    deleteButton(`API ${api.api_id}`, '/apis/' + encodeURIComponent(api.api_id), report, load));
  return span;
}

export function init(report) {
  document.getElementById('api-new').addEventListener('click', () => open(null));
  document.getElementById('api-cancel').addEventListener('click', () => { form().hidden = true; });
  onSubmit(form(), report, async () => {
    const definition = read();
    if (definition === undefined) return;
    if (editing === null) await call('POST', '/apis', definition);
    else await call('PUT', '/apis/' + encodeURIComponent(editing), definition);
    form().hidden = true;
    report(`API ${definition.api_id} saved`);
    await load(report);
  });
}

/** Opens the form on `api` (a stored definition) or, for null, on a new one. */
function open(api) {
  const f = form();
  clearFieldErrors(f);
  editing = api ? api.api_id : null;
  document.getElementById('api-form-title').textContent = api ? `Edit API ${api.api_id}` : 'New API';
  const other = { ...(api || {}) };
  for (const name of FIELDS) {
    f.elements[name].value = other[name] ?? '';
    delete other[name];
  }
  f.elements.api_id.readOnly = api !== null;
  f.elements.strip_listen_path.checked = other.strip_listen_path === true;
  delete other.strip_listen_path;
  f.elements.other.value = JSON.stringify(other, null, 2);
  f.hidden = false;
  f.elements[api ? 'listen_path' : 'api_id'].focus();
}

/** The definition the form holds; undefined, with the form's error shown, when "Other fields" is not a JSON object. */
function read() {
  const f = form();
  const other = jsonOf(f, 'other');
  if (other === undefined) return undefined;
  if (other === null || typeof other !== 'object' || Array.isArray(other)) {
    showFieldErrors(f, { fieldErrors: [{ field: '', error: 'Other fields: must be a JSON object' }] });
    return undefined;
  }
  const definition = { ...other };
  for (const name of FIELDS) {
    const value = f.elements[name].value.trim();
    if (value !== '') definition[name] = value;
  }
  definition.strip_listen_path = f.elements.strip_listen_path.checked;
  return definition;
}
