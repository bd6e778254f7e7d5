// Polygate's JavaScript plugin prelude: the Tyk object model (request, session, metadata, spec,
// response), `tyk.*`, and the Tyk JSVM style (TykJS.TykMiddleware.NewMiddleware) with its API
// (log, rawlog, b64enc, b64dec, rawb64enc, rawb64dec, TykMakeHttpRequest, TykBatchRequest,
// TykGetKeyData, TykSetKeyData, TykJsResponse). Evaluated in every context from one cached Source, so contexts share its
// compiled code. The gateway calls the function __polygate_caller returns for a hook with a
// HookCall (host side): the request is read from it lazily (a hook that reads one header crosses
// one header), and what the hook changed is reported back to it when the hook returns.
var tyk, TykJS, log, rawlog, b64enc, b64dec, rawb64enc, rawb64dec, TykMakeHttpRequest, TykBatchRequest,
  TykGetKeyData, TykSetKeyData, TykJsResponse, __polygate_install, __polygate_caller, __polygate_resolve, __polygate_warm;
(function (global) {
  'use strict';
  var host = null;
  var hooks = {};

  var hasOwn = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  var canonicalNames = new Map();
  function canonical(name) {
    var c = canonicalNames.get(name);
    if (c === undefined) {
      c = String(name).split('-').map(function (p) {
        return p.charAt(0).toUpperCase() + p.slice(1).toLowerCase();
      }).join('-');
      if (canonicalNames.size < 1024) canonicalNames.set(name, c);
    }
    return c;
  }
  function str(v) { return v === undefined || v === null ? '' : String(v); }
  function strMap(m) {
    var out = {};
    if (m) Object.keys(m).forEach(function (k) { out[k] = Array.isArray(m[k]) ? str(m[k][0]) : str(m[k]); });
    return out;
  }

  // request.object: each field is read from the HookCall on first use; `_orig_*` keep what was read
  function MiniRequest(call) { this._c = call; }
  function lazy(proto, field, load) {
    var slot = '_x_' + field;
    Object.defineProperty(proto, field, {
      get: function () { var v = this[slot]; if (v === undefined) v = this[slot] = load(this); return v; },
      set: function (v) { this[slot] = v; },
      enumerable: true
    });
  }
  lazy(MiniRequest.prototype, 'headers', function (o) { var j = o._c.headers_json(); o._orig_headers = j; return JSON.parse(j); });
  lazy(MiniRequest.prototype, 'set_headers', function () { return {}; });
  lazy(MiniRequest.prototype, 'delete_headers', function () { return []; });
  lazy(MiniRequest.prototype, 'body', function (o) { return o._origBody(); });
  lazy(MiniRequest.prototype, 'raw_body', function (o) { return o._origBody(); });
  lazy(MiniRequest.prototype, 'url', function (o) { return o._orig_url = o._c.url(); });
  lazy(MiniRequest.prototype, 'method', function (o) { return o._orig_method = o._c.method(); });
  lazy(MiniRequest.prototype, 'params', function (o) { var j = o._c.params_json(); o._orig_params = j; return JSON.parse(j); });
  lazy(MiniRequest.prototype, 'add_params', function () { return {}; });
  lazy(MiniRequest.prototype, 'delete_params', function () { return []; });
  lazy(MiniRequest.prototype, 'return_overrides', function () {
    return { response_code: 0, response_error: '', response_body: '', headers: {}, override_error: false };
  });
  lazy(MiniRequest.prototype, 'request_uri', function (o) { return o._c.request_uri(); });
  lazy(MiniRequest.prototype, 'scheme', function (o) { return o._c.scheme(); });
  lazy(MiniRequest.prototype, 'client_ip', function (o) { return o._c.client_ip(); });
  MiniRequest.prototype._origBody = function () {
    if (this._orig_body === undefined) this._orig_body = this._c.body_text();
    return this._orig_body;
  };
  MiniRequest.prototype._commit = function (call) {
    var j;
    if (this._x_headers !== undefined && (j = JSON.stringify(strMap(this._x_headers))) !== this._orig_headers) call.replace_headers(j);
    if (this._x_delete_headers !== undefined) this._x_delete_headers.forEach(function (k) { call.delete_header(String(k)); });
    var sh = this._x_set_headers;
    if (sh !== undefined) Object.keys(sh).forEach(function (k) { call.set_header(k, Array.isArray(sh[k]) ? str(sh[k][0]) : str(sh[k])); });
    if (this._x_url !== undefined && str(this._x_url) !== this._orig_url) call.set_url(str(this._x_url));
    if (this._x_method !== undefined && str(this._x_method) !== this._orig_method) call.set_method(str(this._x_method));
    if (this._x_params !== undefined && (j = JSON.stringify(strMap(this._x_params))) !== this._orig_params) call.replace_params(j);
    var ap = this._x_add_params;
    if (ap !== undefined) Object.keys(ap).forEach(function (k) { call.add_param(k, str(ap[k])); });
    if (this._x_delete_params !== undefined) this._x_delete_params.forEach(function (k) { call.delete_param(String(k)); });
    if (this._x_body !== undefined && this._x_body !== this._orig_body) call.set_body_text(str(this._x_body));
    else if (this._x_raw_body !== undefined && this._x_raw_body !== this._orig_body) call.set_body_text(str(this._x_raw_body));
    var ro = this._x_return_overrides;
    if (ro !== undefined && Number(ro.response_code || 0)) {
      var rh = ro.headers && Object.keys(ro.headers).length ? JSON.stringify(strMap(ro.headers)) : null;
      call.override(Number(ro.response_code), str(ro.response_error), str(ro.response_body), rh);
    }
  };

  function Request(call) { this._c = call; this.object = new MiniRequest(call); }
  Request.prototype.get_header = function (key) {
    var o = this.object, sh = o._x_set_headers, h = o._x_headers;
    if (sh !== undefined && hasOwn(sh, key)) return sh[key];
    if (h === undefined) {
      var v = this._c.header(String(key));
      if (v !== null && v !== undefined) return v;
      if (sh === undefined) return null;
    } else if (hasOwn(h, key)) {
      return h[key];
    }
    var lk = String(key).toLowerCase(), srcs = [sh, h];
    for (var j = 0; j < srcs.length; j++) {
      if (srcs[j] === undefined) continue;
      var ks = Object.keys(srcs[j]);
      for (var n = 0; n < ks.length; n++) if (ks[n].toLowerCase() === lk) return srcs[j][ks[n]];
    }
    return null;
  };
  Request.prototype.add_header = function (k, v) { this.object.set_headers[canonical(k)] = str(v); };
  Request.prototype.delete_header = function (k) { this.object.delete_headers.push(String(k)); };
  Request.prototype.add_param = function (k, v) { this.object.add_params[String(k)] = str(v); };
  Request.prototype.delete_param = function (k) { this.object.delete_params.push(String(k)); };

  function Session(d) {
    var s = Object.assign({ rate: 0, per: 0, quota_max: -1, expires: 0, id_extractor_deadline: 0, meta_data: {} }, d || {});
    if (!s.meta_data) s.meta_data = {};
    Object.defineProperty(s, 'metadata', {
      get: function () { return s.meta_data; }, set: function (v) { s.meta_data = v; }, enumerable: false
    });
    return s;
  }
  var EMPTY_SESSION = JSON.stringify(Session(null));

  var specs = new Map();
  function spec(call) {
    var id = call.spec_id(), d = specs.get(id);
    if (d === undefined) {
      if (specs.size >= 64) specs.clear();
      d = JSON.parse(call.spec_json());
      specs.set(id, d);
    }
    return Object.assign({}, d);
  }

  function Response(call) {
    this.status_code = call.response_status();
    this.headers = JSON.parse(call.response_headers_json());
    this.body = call.response_body_text();
    this.raw_body = this.body;
    this._orig = { status: this.status_code, headers: JSON.stringify(this.headers), body: this.body };
  }
  Response.prototype._commit = function (call) {
    var o = this._orig, j = JSON.stringify(strMap(this.headers));
    if (Number(this.status_code) !== o.status) call.set_response_status(Number(this.status_code));
    if (j !== o.headers) call.replace_response_headers(j);
    var body = this.body !== o.body ? this.body : (this.raw_body !== o.body ? this.raw_body : undefined);
    if (body !== undefined) call.set_response_body_text(str(body));
  };

  // --- Tyk JSVM style ---------------------------------------------------------------------------
  function jsvmRequest(req) {
    var o = req.object, headers = {}, params = {};
    Object.keys(o.headers).forEach(function (k) { headers[k] = [o.headers[k]]; });
    Object.keys(o.params).forEach(function (k) { params[k] = [o.params[k]]; });
    return {
      Headers: headers, SetHeaders: {}, DeleteHeaders: [], Body: o.body, URL: o.url, Method: o.method,
      Params: params, AddParams: {}, DeleteParams: [],
      ReturnOverrides: { ResponseCode: 0, ResponseError: '', ResponseBody: '', ResponseHeaders: {} }
    };
  }
  function applyJsvm(req, j) {
    if (!j) return;
    var o = req.object;
    Object.keys(j.SetHeaders || {}).forEach(function (k) { o.set_headers[k] = str(j.SetHeaders[k]); });
    (j.DeleteHeaders || []).forEach(function (k) { o.delete_headers.push(String(k)); });
    Object.keys(j.AddParams || {}).forEach(function (k) { o.add_params[k] = str(j.AddParams[k]); });
    (j.DeleteParams || []).forEach(function (k) { o.delete_params.push(String(k)); });
    if (j.Body !== undefined && j.Body !== o.body) o.body = str(j.Body);
    if (j.URL) o.url = str(j.URL);
    if (j.Method) o.method = str(j.Method);
    var ro = j.ReturnOverrides || {};
    if (ro.ResponseCode) {
      o.return_overrides.response_code = Number(ro.ResponseCode);
      o.return_overrides.response_error = str(ro.ResponseError);
      o.return_overrides.response_body = str(ro.ResponseBody);
      o.return_overrides.headers = strMap(ro.ResponseHeaders || ro.Headers);
    }
  }
  function NewMiddleware(cfg) { this.cfg = cfg || {}; this.__tykjs = true; }
  NewMiddleware.prototype.NewProcessRequest = function (fn) { this.processRequest = fn; };
  NewMiddleware.prototype.ReturnData = function (request, metadata) { return { Request: request, SessionMeta: metadata }; };
  NewMiddleware.prototype.ReturnAuthData = function (request, session) { return { Request: request, Session: session }; };
  TykJS = { TykMiddleware: { NewMiddleware: NewMiddleware } };

  // --- tyk.*, log helpers -----------------------------------------------------------------------
  tyk = {
    log: function (msg, level) { host.log(str(msg), level ? String(level) : 'info'); },
    log_error: function () { host.log(Array.prototype.map.call(arguments, str).join(' '), 'error'); },
    get_data: function (key) { var v = host.get_data(String(key)); return v === null || v === undefined ? '' : String(v); },
    store_data: function (key, value, ttl) { host.store_data(String(key), str(value), Number(ttl || 0)); },
    trigger_event: function (name, payload) { host.trigger_event(String(name), str(payload)); }
  };
  log = function (msg) { host.log(str(msg), 'info'); };
  rawlog = function (msg) { host.log(str(msg), 'info'); };
  // Tyk's JSVM API: arguments are taken as String(x) (as otto's call.Argument(n).String()), and a
  // call that fails returns undefined, the host having logged why
  function orUndefined(v) { return v === null ? undefined : v; }
  b64enc = function (s) { return host.b64enc(str(s)); };
  b64dec = function (s) { return orUndefined(host.b64dec(str(s))); };
  rawb64enc = function (s) { return host.rawb64enc(str(s)); };
  rawb64dec = function (s) { return orUndefined(host.rawb64dec(str(s))); };
  TykMakeHttpRequest = function (json) { return json === undefined ? undefined : orUndefined(host.http_request(String(json))); };
  TykBatchRequest = function (json) { return orUndefined(host.batch_request(String(json))); };
  TykGetKeyData = function (key, apiId) { return host.get_key_data(String(key)); };
  TykSetKeyData = function (key, sessionJson, suppressReset) { host.set_key_data(String(key), String(sessionJson)); };
  TykJsResponse = function (response, sessionMeta) { return JSON.stringify({ Response: response, SessionMeta: sessionMeta }); };

  // a hook that returns TykJsResponse(...) answers the client with it, as a Tyk virtual endpoint does
  function applyJsResponse(out, request, session) {
    var j;
    try { j = JSON.parse(out); } catch (e) { return false; }
    if (!j || typeof j.Response !== 'object' || j.Response === null) return false;
    var ro = request.object.return_overrides;
    ro.response_code = Number(j.Response.Code || 200);
    ro.response_body = str(j.Response.Body);
    ro.headers = strMap(j.Response.Headers);
    if (j.SessionMeta && typeof j.SessionMeta === 'object') Object.assign(session.meta_data, j.SessionMeta);
    return true;
  }

  __polygate_install = function (h) { host = h; };

  __polygate_resolve = function (namesJson) {
    var names = JSON.parse(namesJson), missing = [];
    names.forEach(function (n) {
      var v = global[n];
      // top-level let/const bindings are not properties of the global object
      if (v === undefined && /^[A-Za-z_$][\w$]*$/.test(n)) v = (0, eval)('typeof ' + n + " === 'undefined' ? undefined : " + n);
      if (typeof v === 'function' || (v && v.__tykjs && typeof v.processRequest === 'function')) hooks[n] = v;
      else missing.push(n);
    });
    return JSON.stringify(missing);
  };

  // runs the prelude's own per-call paths once on a sample call (no plugin code), so that a
  // context's first real request does not pay for their first execution
  __polygate_warm = function (call) {
    var request = new Request(call), o = request.object;
    request.get_header('Key');
    request.add_header('X-Polygate-Warm', '1');
    void [o.headers, o.params, o.url, o.method, o.body, o.raw_body, o.return_overrides, o.request_uri, o.scheme, o.client_ip];
    var sj = call.session_json(), mj = call.metadata_json();
    JSON.stringify(Session(sj === null ? null : JSON.parse(sj)));
    spec(call);
    o._commit(call);
    if (mj !== null) JSON.parse(mj);
  };

  // the function the gateway calls for one hook of the manifest: takes a HookCall
  __polygate_caller = function (kind, name) {
    var h = hooks[name];
    if (kind === 'response' && typeof h !== 'function')
      throw new Error('hook "' + name + '" (response) is a TykJS middleware object: Tyk has no JSVM response middleware; '
        + 'a response hook is a function (request, response, session, metadata, spec)');
    if (kind === 'response') {
      return function (call) {
        var response = new Response(call), mj = call.metadata_json(), sj = call.session_json();
        var out = h(new Request(call), response, Session(sj === null ? null : JSON.parse(sj)),
          mj === null ? {} : JSON.parse(mj), spec(call));
        if (out instanceof Response) response = out;
        response._commit(call);
      };
    }
    var auth = kind === 'auth_check', jsvm = typeof h !== 'function', four = auth || (!jsvm && h.length >= 4);
    return function (call) {
      var request = new Request(call), sj = call.session_json(), mj = call.metadata_json();
      var session = Session(sj === null ? null : JSON.parse(sj));
      var before = sj === null ? EMPTY_SESSION : JSON.stringify(session);
      var metadata = mj === null ? {} : JSON.parse(mj), out, storeBack = false;
      if (jsvm) {
        var jreq = jsvmRequest(request), metaBefore = JSON.stringify(session.meta_data);
        out = h.processRequest(jreq, session, spec(call));
        if (typeof out === 'string' && applyJsResponse(out, request, session)) out = null;
        else if (out && out.Request) applyJsvm(request, out.Request); else applyJsvm(request, jreq);
        if (out && out.Session) session = Session(out.Session);
        // Tyk's JSVM: ReturnData(request, meta) replaces the session's metadata, and a changed
        // one is stored back on the key
        if (out && !auth && out.SessionMeta && typeof out.SessionMeta === 'object') {
          session.meta_data = out.SessionMeta;
          storeBack = JSON.stringify(out.SessionMeta) !== metaBefore;
        }
        if (auth && !metadata.token && session.meta_data && session.meta_data.token)
          metadata.token = session.meta_data.token;
      } else {
        out = four ? h(request, session, metadata, spec(call)) : h(request, session, spec(call));
        if (typeof out === 'string') applyJsResponse(out, request, session);
        else if (Array.isArray(out)) {
          if (out[0] instanceof Request) request = out[0];
          if (out[1] && typeof out[1] === 'object') session = Session(out[1]);
          if (out[2] && typeof out[2] === 'object') metadata = out[2];
        }
      }
      request.object._commit(call);
      var s = JSON.stringify(session);
      if (auth || s !== before) call.set_session(s);
      if (storeBack) call.store_session();
      if (mj !== null || Object.keys(metadata).length) {
        var m = JSON.stringify(metadata);
        if (m !== mj) call.set_metadata(m);
      }
    };
  };
})(this);
