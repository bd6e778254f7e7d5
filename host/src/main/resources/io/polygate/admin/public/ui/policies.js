// The policies view: each policy (GET /policies lists the ids), create or replace (PUT by id), delete. A gateway without a policy
// store answers 404 on /policies: the view says so.
import { call } from './admin.js';
import { button, cell, clearFieldErrors, deleteButton, fill, onJsonSubmit } from './view.js';

const TEMPLATE = { rate: 100, per: 60, quota_max: -1, access_rights: {} };
let known = new Set();

export async function load(report) {
  let ids;
  try {
    ({ policies: ids } = await call('GET', '/policies'));
  } catch (e) {
    if (e.status !== 404) throw e;
    document.getElementById('policies-none').hidden = false;
    document.getElementById('policy-form').hidden = true;
    return;
  }
  known = new Set(ids);
  const policies = await Promise.all(ids.map(id => call('GET', '/policies/' + encodeURIComponent(id))));
  fill('#policy-list', policies, p => {
    const span = document.createElement('span');
    span.append(button('Edit', () => edit(p)), ' ', deleteButton(`policy ${p.id}`, '/policies/' + encodeURIComponent(p.id), report, load));
    return [cell(p.id), cell(p.rate), cell(p.per), cell(p.quota_max), cell(span)];
  });
}

function edit(policy) {
  const form = document.getElementById('policy-form');
  clearFieldErrors(form);
  document.getElementById('policy-form-title').textContent = `Edit policy ${policy.id}`;
  form.elements.id.value = policy.id;
  const body = { ...policy };
  delete body.id;
  form.elements.policy.value = JSON.stringify(body, null, 2);
}

export function init(report) {
  const form = document.getElementById('policy-form');
  onJsonSubmit(form, 'policy', TEMPLATE, report, async policy => {
    const id = form.elements.id.value.trim();
    if (id !== '') policy.id = id;
    if (known.has(id)) await call('PUT', '/policies/' + encodeURIComponent(id), policy);
    else await call('POST', '/policies', policy);
    report(`policy ${id} saved`);
    await load(report);
  });
}
