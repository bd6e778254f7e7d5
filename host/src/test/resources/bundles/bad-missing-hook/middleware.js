function hello(request, session, spec) { request.add_header("X-Hello", "1"); }
