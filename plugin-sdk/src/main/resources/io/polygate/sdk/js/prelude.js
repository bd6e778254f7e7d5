// Polygate's JavaScript plugin prelude: the Tyk object model (request, session, metadata, spec,
// response), `tyk.*`, and the Tyk JSVM style (TykJS.TykMiddleware.NewMiddleware, log, rawlog,
// b64enc, b64dec). The gateway calls __polygate_dispatch with the request state as JSON and gets
// the state after the hook back as JSON: only strings cross the boundary.
var tyk, TykJS, log, rawlog, b64enc, b64dec, __polygate_install, __polygate_dispatch, __polygate_resolve;
(function (global) {
  'use strict';
  var host = null;
  var hooks = {};

  function canonical(name) {
    return String(name).split('-').map(function (p) {
      return p.charAt(0).toUpperCase() + p.slice(1).toLowerCase();
    }).join('-');
  }
  function str(v) { return v === undefined || v === null ? '' : String(v); }
  function strMap(m) {
    var out = {};
    if (m) Object.keys(m).forEach(function (k) { out[k] = Array.isArray(m[k]) ? str(m[k][0]) : str(m[k]); });
    return out;
  }

  function Request(d) {
    var o = {
      headers: Object.assign({}, d.headers || {}),
      set_headers: {}, delete_headers: [],
      body: d.body || '', raw_body: d.body || '',
      url: d.url || '/', method: d.method || 'GET',
      params: Object.assign({}, d.params || {}), add_params: {}, delete_params: [],
      return_overrides: { response_code: 0, response_error: '', response_body: '', headers: {}, override_error: false },
      request_uri: d.request_uri || d.url || '/', scheme: d.scheme || 'http', client_ip: d.client_ip || ''
    };
    this.object = o;
    this._orig = o.body;
  }
  Request.prototype.get_header = function (key) {
    var o = this.object, srcs = [o.set_headers, o.headers], lk = String(key).toLowerCase();
    for (var i = 0; i < srcs.length; i++) if (Object.prototype.hasOwnProperty.call(srcs[i], key)) return srcs[i][key];
    for (var j = 0; j < srcs.length; j++) {
      var ks = Object.keys(srcs[j]);
      for (var n = 0; n < ks.length; n++) if (ks[n].toLowerCase() === lk) return srcs[j][ks[n]];
    }
    return null;
  };
  Request.prototype.add_header = function (k, v) { this.object.set_headers[canonical(k)] = str(v); };
  Request.prototype.delete_header = function (k) { this.object.delete_headers.push(String(k)); };
  Request.prototype.add_param = function (k, v) { this.object.add_params[String(k)] = str(v); };
  Request.prototype.delete_param = function (k) { this.object.delete_params.push(String(k)); };
  Request.prototype._dump = function () {
    var o = this.object, ro = o.return_overrides || {};
    var out = {
      headers: strMap(o.headers), set_headers: strMap(o.set_headers),
      delete_headers: (o.delete_headers || []).map(String), url: str(o.url), method: str(o.method),
      params: strMap(o.params), add_params: strMap(o.add_params), delete_params: (o.delete_params || []).map(String),
      return_overrides: { response_code: Number(ro.response_code || 0), response_error: str(ro.response_error),
        response_body: str(ro.response_body), headers: strMap(ro.headers), override_error: !!ro.override_error }
    };
    var body = o.body !== this._orig ? o.body : (o.raw_body !== this._orig ? o.raw_body : undefined);
    if (body !== undefined) out.body = str(body);
    return out;
  };

  function Session(d) {
    var s = Object.assign({ rate: 0, per: 0, quota_max: -1, expires: 0, id_extractor_deadline: 0, meta_data: {} }, d || {});
    if (!s.meta_data) s.meta_data = {};
    Object.defineProperty(s, 'metadata', {
      get: function () { return s.meta_data; }, set: function (v) { s.meta_data = v; }, enumerable: false
    });
    return s;
  }

  function Response(d) {
    this.status_code = d.status_code || 200;
    this.headers = Object.assign({}, d.headers || {});
    this.body = d.body || '';
    this.raw_body = this.body;
    this._orig = this.body;
  }
  Response.prototype._dump = function () {
    var out = { status_code: Number(this.status_code), headers: strMap(this.headers) };
    var body = this.body !== this._orig ? this.body : (this.raw_body !== this._orig ? this.raw_body : undefined);
    if (body !== undefined) out.body = str(body);
    return out;
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
  b64enc = function (s) { return host.b64enc(str(s)); };
  b64dec = function (s) { return host.b64dec(str(s)); };

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

  __polygate_dispatch = function (kind, name, stateJson) {
    var st = JSON.parse(stateJson), h = hooks[name];
    var request = new Request(st.request || {});
    var session = Session(st.session);
    var metadata = Object.assign({}, st.metadata || {});
    var spec = st.spec || {};
    var response = null, out;
    if (typeof h !== 'function') {
      var jreq = jsvmRequest(request);
      out = h.processRequest(jreq, session, spec);
      if (out && out.Request) applyJsvm(request, out.Request); else applyJsvm(request, jreq);
      if (out && out.Session) session = Session(out.Session);
      if (out && out.SessionMeta) Object.assign(session.meta_data, out.SessionMeta);
      if (kind === 'auth_check' && !metadata.token && session.meta_data && session.meta_data.token)
        metadata.token = session.meta_data.token;
    } else if (kind === 'response') {
      response = new Response(st.response || {});
      out = h(request, response, session, metadata, spec);
      if (out instanceof Response) response = out;
    } else {
      out = (kind === 'auth_check' || h.length >= 4) ? h(request, session, metadata, spec) : h(request, session, spec);
      if (Array.isArray(out)) {
        if (out[0] instanceof Request) request = out[0];
        if (out[1] && typeof out[1] === 'object') session = Session(out[1]);
        if (out[2] && typeof out[2] === 'object') metadata = out[2];
      }
    }
    var sessionOut = {};
    Object.keys(session).forEach(function (k) { sessionOut[k] = session[k]; });
    var result = { request: request._dump(), session: sessionOut, metadata: metadata };
    if (response) result.response = response._dump();
    return JSON.stringify(result);
  };
})(this);
