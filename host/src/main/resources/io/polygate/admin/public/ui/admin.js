// The admin API as the dashboard calls it: the secret from this tab's sessionStorage on every
// call, JSON in and out, and a failed call thrown as an AdminCallError carrying the answer.

const SECRET_KEY = 'polygate.admin.secret';

export function secret() { return sessionStorage.getItem(SECRET_KEY); }
export function remember(value) { sessionStorage.setItem(SECRET_KEY, value); }
export function forget() { sessionStorage.removeItem(SECRET_KEY); }

/** A call the admin API answered with an error: its status and JSON body ({error, errors, field_errors}). */
export class AdminCallError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }

  /** Each problem of a bad body as {field, error}; a problem without field_errors is the whole body's. */
  get fieldErrors() { return this.body.field_errors || [{ field: '', error: this.message }]; }
}

/**
 * One admin call. `body`: an object (sent as JSON), a Blob or File (sent as it is), or undefined.
 * Resolves to the parsed JSON answer, or the text for a non-JSON one; rejects with AdminCallError.
 */
export async function call(method, path, body, given = secret()) {
  const headers = { 'X-Polygate-Secret': given || '' };
  let payload;
  if (body instanceof Blob) {
    payload = body;
    headers['Content-Type'] = 'application/zip';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, { method, headers, body: payload, cache: 'no-store', credentials: 'omit' });
  const json = (response.headers.get('Content-Type') || '').startsWith('application/json');
  const answer = json ? await response.json() : await response.text();
  if (!response.ok) throw new AdminCallError(response.status, json ? answer : { error: answer });
  return answer;
}
