// A pre hook in Tyk's JSVM style that asks another service about the caller with
// TykMakeHttpRequest and passes what it answered upstream. The service is the API's
// config_data.lookup_url (an echo upstream in the examples, which answers with the request it
// got); its host must be allowed for this bundle in plugins.outbound_http.allow
// (./polygate plugin run: --allow-http).
var userLookup = new TykJS.TykMiddleware.NewMiddleware({});

userLookup.NewProcessRequest(function (request, session, spec) {
  var config = JSON.parse(spec.config_data || '{}');
  var user = request.Headers['X-User'] ? request.Headers['X-User'][0] : 'anonymous';
  var raw = TykMakeHttpRequest(JSON.stringify({
    Method: 'GET',
    Domain: config.lookup_url || 'http://127.0.0.1:9000',
    Resource: '/users/' + encodeURIComponent(user),
    Headers: { 'Accept': 'application/json' }
  }));
  if (raw === undefined) {
    // refused, timed out or failed: the gateway log says which
    request.ReturnOverrides.ResponseCode = 502;
    request.ReturnOverrides.ResponseError = 'user lookup failed';
    return userLookup.ReturnData(request, {});
  }
  var reply = JSON.parse(raw);                 // {Code, Body, Headers}, as Tyk returns it
  request.SetHeaders['X-Lookup-Status'] = String(reply.Code);
  request.SetHeaders['X-Lookup-Path'] = JSON.parse(reply.Body).path;
  return userLookup.ReturnData(request, {});
});
