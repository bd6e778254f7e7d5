// A pre hook in Tyk's JSVM style that rewrites the request (path prefix /v2, a query parameter,
// headers) and a response hook that adds a header to what the upstream answered.
var rewrite = new TykJS.TykMiddleware.NewMiddleware({});

rewrite.NewProcessRequest(function (request, session, spec) {
  request.URL = '/v2' + request.URL;
  request.AddParams['rewritten'] = 'true';
  request.DeleteParams.push('debug');
  request.SetHeaders['X-Rewritten-By'] = 'polygate';
  request.DeleteHeaders.push('X-Internal');
  return rewrite.ReturnData(request, {});
});

function addServedBy(request, response, session, metadata, spec) {
  response.headers['X-Served-By'] = 'polygate-plugin';
  response.headers['X-Upstream-Status'] = String(response.status_code);
  return response;
}
