package io.polygate.proxy;

import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * The one place the gateway reaches into Jetty's HTTP/1.1 connection, {@code server.internal.HttpConnection}
 * (public, but not Jetty's API): a Jetty upgrade that changes it breaks this class only.
 */
final class Http1Connections {
    private Http1Connections() {}

    /** Runs {@code job} on the calling thread when it is an HTTP/1.1 connection's read loop; false for any other job. */
    static boolean runIfReadLoop(Runnable job) {
        if (!(job instanceof HttpConnection connection)) return false;
        connection.run();
        return true;
    }

    /** The request parser of an HTTP/1.1 connection; null for any other connection. */
    static HttpParser parserOf(Connection connection) {
        return connection instanceof HttpConnection http ? http.getParser() : null;
    }
}
