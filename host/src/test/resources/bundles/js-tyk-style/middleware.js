// The same plugin in JS: Python-style hooks and one Tyk JSVM-style middleware.
function preRewrite(request, session, spec) {
  request.add_header('X-Pre', 'yes');
  request.delete_header('X-Remove-Me');
  request.add_param('added', '1');
  request.delete_param('drop');
  request.object.set_headers['X-Set-Direct'] = 'yes';
  request.object.delete_headers.push('X-Remove-Too');
  request.add_header('X-Keep-Param', request.object.params.keep || 'none');
  request.add_header('X-Org', spec.OrgID || 'no-org');
  var cfg = JSON.parse(spec.config_data);
  request.add_header('X-Api-Id', spec.APIID + '/' + (cfg.greeting || ''));
  if (request.object.method === 'POST' && request.object.body) {
    var payload = JSON.parse(request.object.body);
    payload.seen_by = 'pre';
    request.object.body = JSON.stringify(payload);
  }
  if (request.get_header('X-Short-Circuit')) {
    request.object.return_overrides.response_code = 418;
    request.object.return_overrides.response_body = '{"teapot": true}';
    request.object.return_overrides.headers = {'X-Teapot': 'short'};
  }
  return [request, session];
}

var jsvmPre = new TykJS.TykMiddleware.NewMiddleware({});
jsvmPre.NewProcessRequest(function (request, session, spec) {
  log('jsvm pre for ' + request.URL);
  request.SetHeaders['X-Jsvm'] = b64dec(b64enc('jsvm-ok'));
  return jsvmPre.ReturnData(request, {});
});

function myAuth(request, session, metadata, spec) {
  var auth = request.get_header('Authorization');
  if (auth === 'boom') throw new Error('auth plugin bug on purpose');
  if (auth !== 'letmein') {
    tyk.log_error('auth failed for', String(auth));
    request.object.return_overrides.response_code = 403;
    request.object.return_overrides.response_error = 'Access denied by plugin';
    return [request, session, metadata];
  }
  var old = tyk.get_data('visits');
  var count = old === '' ? 0 : parseInt(old, 10);
  tyk.store_data('visits', String(count + 1), 60);
  tyk.trigger_event('AuthOK', JSON.stringify({count: count + 1}));
  session.rate = 1000;
  session.per = 1;
  session.metadata.user = 'ada';
  metadata.token = 'tok-js';
  metadata.visits = String(count + 1);
  return [request, session, metadata];
}

function postKeyAuthUser(request, session, spec) {
  request.add_header('X-User', session.meta_data.user);
}

function myPost(request, session, metadata, spec) {
  request.add_header('Foo', 'Bar');
  request.add_header('X-Visits', metadata.visits || '?');
  if (/^tok-/.test(metadata.token)) request.add_header('X-Token-Ok', 'true');
}

function myResponse(request, response, session, metadata, spec) {
  response.headers['X-Response-Hook'] = 'status-' + response.status_code;
  var body = JSON.parse(response.body);
  body.response_hook = true;
  response.body = JSON.stringify(body);
  return response;
}
