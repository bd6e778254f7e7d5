// A custom auth middleware in Tyk's JSVM style: ReturnAuthData, Headers as lists, ReturnOverrides.
var jsvmAuth = new TykJS.TykMiddleware.NewMiddleware({});

jsvmAuth.NewProcessRequest(function (request, session, spec) {
  var key = request.Headers['X-Jsvm-Key'] ? request.Headers['X-Jsvm-Key'][0] : '';
  rawlog('jsvm auth for ' + key);
  if (key !== 'jsvm-secret') {
    request.ReturnOverrides.ResponseCode = 401;
    request.ReturnOverrides.ResponseError = 'jsvm says no';
    return jsvmAuth.ReturnAuthData(request, session);
  }
  session.rate = 3;
  session.per = 60;
  session.meta_data = {token: key, who: b64dec(b64enc('jsvm'))};
  return jsvmAuth.ReturnAuthData(request, session);
});
