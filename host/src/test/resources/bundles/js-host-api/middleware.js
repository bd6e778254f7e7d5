// Exercises Tyk's JSVM host API, unmodified Tyk style: the request header X-Do picks the call, and
// the hook answers the client with what the call returned (JSON, through ReturnOverrides).
var hostApi = new TykJS.TykMiddleware.NewMiddleware({});

function answer(request, result) {
  request.ReturnOverrides.ResponseCode = 200;
  request.ReturnOverrides.ResponseBody = JSON.stringify({ result: result === undefined ? 'undefined' : result });
  request.ReturnOverrides.ResponseHeaders = { 'Content-Type': 'application/json' };
  return hostApi.ReturnData(request, {});
}

function header(request, name) {
  var v = request.Headers[name];
  return v ? v[0] : '';
}

hostApi.NewProcessRequest(function (request, session, spec) {
  var target = JSON.parse(spec.config_data).target;
  var domain = header(request, 'X-Domain') || target;
  switch (header(request, 'X-Do')) {
    case 'http': {
      var form = header(request, 'X-Form');
      var out = TykMakeHttpRequest(JSON.stringify({
        Method: header(request, 'X-Method') || 'GET',
        Domain: domain,
        Resource: header(request, 'X-Resource'),
        Headers: { 'X-From-Plugin': 'yes' },
        Body: header(request, 'X-Body'),
        FormData: form ? { b: 'two words', a: form } : {}
      }));
      return answer(request, out === undefined ? undefined : JSON.parse(out));
    }
    case 'http-not-json':
      return answer(request, TykMakeHttpRequest('not json'));
    case 'batch': {
      var replies = TykBatchRequest(JSON.stringify({
        requests: [
          { method: 'GET', relative_url: target + '/first', headers: { 'X-N': '1' } },
          { method: 'POST', relative_url: target + '/second', body: 'batch body' },
          { method: 'GET', relative_url: 'http://not-allowed.invalid/third' }
        ],
        suppress_parallel_execution: header(request, 'X-Sequential') === '1'
      }));
      return answer(request, JSON.parse(replies));
    }
    case 'get-key':
      return answer(request, JSON.parse(TykGetKeyData(header(request, 'X-Key'), 'host-api')));
    case 'set-key':
      TykSetKeyData(header(request, 'X-Key'), header(request, 'X-Session'), '1');
      return answer(request, JSON.parse(TykGetKeyData(header(request, 'X-Key'), 'host-api')));
    case 'base64':
      return answer(request, {
        b64enc: b64enc('hi'), rawb64enc: rawb64enc('hi'),
        b64dec_padded: b64dec('aGk='), b64dec_unpadded: b64dec('aGk'), b64dec_bad: String(b64dec('*')),
        rawb64dec: rawb64dec('aGk'), rawb64dec_padded: String(rawb64dec('aGk='))
      });
    case 'js-response':
      return TykJsResponse({ Body: 'answered by TykJsResponse', Code: 202, Headers: { 'X-Js-Response': 'yes' } }, session.meta_data);
  }
  return hostApi.ReturnData(request, {});
});
