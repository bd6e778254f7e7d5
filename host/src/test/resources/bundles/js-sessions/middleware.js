// Request bodies, sessions and metadata the way Tyk's JSVM middleware uses them.
var bodyRewrite = new TykJS.TykMiddleware.NewMiddleware({});
bodyRewrite.NewProcessRequest(function (request, session, spec) {
  var mode = request.Headers['X-Body-Mode'] ? request.Headers['X-Body-Mode'][0] : '';
  if (mode === 'replace') request.Body = 'New Request body';
  else if (mode === 'empty') request.Body = '';
  else if (mode === 'long') request.Body = new Array(70001).join('x');
  else if (mode === 'unicode') request.Body = 'h\u00e9llo \u2713';
  return bodyRewrite.ReturnData(request, {});
});

function sessionAuth(request, session, metadata, spec) {
  var token = request.get_header('X-Sess-Token');
  if (!token) {
    request.object.return_overrides.response_code = 403;
    request.object.return_overrides.response_error = 'no token';
    return [request, session, metadata];
  }
  metadata.token = token;
  metadata.username = request.get_header('X-Username') || 'user-' + token;
  var quota = request.get_header('X-Quota');
  if (quota) { session.quota_max = Number(quota); session.quota_renewal_rate = 3600; }
  var policy = request.get_header('X-Policy');
  if (policy) session.apply_policy_id = policy;
  var policies = request.get_header('X-Policies');
  if (policies) session.apply_policies = policies.split(',');
  return [request, session, metadata];
}

function show(request, session, where) {
  var meta = session.meta_data || {};
  request.SetHeaders['X-' + where + '-Username'] = meta.username || 'missing';
  request.SetHeaders['X-' + where + '-Profile'] = typeof meta.profile + ':' + (meta.profile || 'missing');
  var write = request.Headers['X-Write-Meta'];
  if (write && where === 'Post') meta.visited = write[0];
  return meta;
}

var showSession = new TykJS.TykMiddleware.NewMiddleware({});
showSession.NewProcessRequest(function (request, session, spec) {
  return showSession.ReturnData(request, show(request, session, 'Pka'));
});

var postSession = new TykJS.TykMiddleware.NewMiddleware({});
postSession.NewProcessRequest(function (request, session, spec) {
  return postSession.ReturnData(request, show(request, session, 'Post'));
});

function responseBody(request, response, session, metadata, spec) {
  var meta = session.meta_data || {};
  response.headers['X-Resp-Username'] = meta.username || meta.tier || 'missing';
  var mode = request.get_header('X-Resp-Mode');
  if (mode === 'short') response.body = 'ok';
  else if (mode === 'empty') response.body = '';
  return response;
}
