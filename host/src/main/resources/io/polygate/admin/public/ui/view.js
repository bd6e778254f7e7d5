// DOM helpers shared by the views: table rows from data, buttons, field errors beside their fields.
import { AdminCallError, call } from './admin.js';

/** A table cell holding `content`: text, or a node (a button). */
export function cell(content) {
  const td = document.createElement('td');
  if (content instanceof Node) td.append(content);
  else td.textContent = content == null ? '' : String(content);
  return td;
}

/** Replaces the rows of `table`'s body with one per item, its cells from `cells(item)`. */
export function fill(table, items, cells) {
  const body = document.querySelector(table + ' tbody');
  body.replaceChildren(...items.map(item => {
    const tr = document.createElement('tr');
    tr.append(...cells(item));
    return tr;
  }));
}

/**
 * A Delete button: asks, sends DELETE `path`, reports `what` deleted and calls `reload`; a failed
 * call is reported.
 */
export function deleteButton(what, path, report, reload) {
  return button('Delete', async () => {
    if (!confirm(`Delete ${what}?`)) return;
    try {
      await call('DELETE', path);
      report(`${what} deleted`);
      await reload(report);
    } catch (e) { report(e); }
  }, 'delete');
}

/**
 * Runs `save` on each submit of `form`, its field errors cleared first. What the admin API refuses
 * (a 4xx but 401) is shown in the form, beside the fields it names; anything else is reported.
 */
export function onSubmit(form, report, save) {
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form);
    try {
      await save();
    } catch (e) {
      if (e instanceof AdminCallError && e.status >= 400 && e.status < 500 && e.status !== 401) showFieldErrors(form, e);
      else report(e);
    }
  });
}

/** As onSubmit, for a form whose field `name` holds a JSON body (`template` at first): `save(body)` once it parses. */
export function onJsonSubmit(form, name, template, report, save) {
  form.elements[name].value = JSON.stringify(template, null, 2);
  onSubmit(form, report, async () => {
    const body = jsonOf(form, name);
    if (body !== undefined) await save(body);
  });
}

/** The JSON in `form`'s field `name`; not JSON: shown as the form's error, and undefined. */
export function jsonOf(form, name) {
  try {
    return JSON.parse(form.elements[name].value);
  } catch (e) {
    showFieldErrors(form, { fieldErrors: [{ field: '', error: 'not JSON: ' + e.message }] });
    return undefined;
  }
}

export function button(label, onClick, className = '') {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Shows each problem of an AdminCallError beside its field: the `.field-error` whose data-field is
 * the problem's first path segment (`version_data.x` -> `version_data`), else the form's catch-all
 * (data-field=""). Other errors go to the catch-all too.
 */
export function showFieldErrors(form, error) {
  clearFieldErrors(form);
  const problems = error.fieldErrors || [{ field: '', error: error.message }];
  for (const p of problems) {
    const top = p.field.split(/[.[]/)[0];
    const slot = form.querySelector(`.field-error[data-field="${CSS.escape(top)}"]`) || form.querySelector('.field-error[data-field=""]');
    const line = document.createElement('span');
    line.textContent = !p.field || p.field === slot.dataset.field ? p.error : `${p.field}: ${p.error}`;
    slot.append(line);
    slot.closest('.field')?.classList.add('invalid');
  }
}

export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) slot.replaceChildren();
  for (const f of form.querySelectorAll('.field.invalid')) f.classList.remove('invalid');
}
