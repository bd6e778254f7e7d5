package io.polygate.admin;

import java.util.List;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The admin port's public files, answered without the admin secret: the dashboard under
 * {@code /ui/} and the admin API's OpenAPI document at {@code /openapi.json}, packaged in the jar
 * under {@value #BASE}. Every other path, and a file that is not there, goes on to the wrapped
 * handler (the secret check, then the admin API). The files hold no secret: the dashboard keeps the
 * admin secret in the browser tab and sends it with each admin call. A strict
 * Content-Security-Policy keeps the page to its own scripts and styles.
 */
final class DashboardFiles extends ResourceHandler {
    static final String BASE = "io/polygate/admin/public/";
    static final String UI = "/ui";
    static final String OPENAPI = "/openapi.json";
    private static final String CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";

    /** @param next what answers every path that is not a public file; it sees paths without their trailing {@code /} */
    DashboardFiles(Handler next) {
        super(next);
        setBaseResource(ResourceFactory.of(this).newClassLoaderResource(BASE));
        setDirAllowed(false);
        setWelcomeFiles(List.of());
        setCacheControl("no-cache");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getCanonicalPath();
        boolean ui = path.equals(UI) || path.startsWith(UI + "/");
        if (!ui && !path.equals(OPENAPI)) return getHandler().handle(request, response, callback);
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        // the admin handler took the "/" off "/ui/": the dashboard's page, not a redirect to "/ui/" again
        return super.handle(path.equals(UI) ? at(request, UI + "/index.html") : request, response, callback);
    }

    private static Request at(Request request, String path) {
        HttpURI uri = HttpURI.build(request.getHttpURI()).path(path).asImmutable();
        return new Request.Wrapper(request) {
            @Override
            public HttpURI getHttpURI() { return uri; }
        };
    }
}
