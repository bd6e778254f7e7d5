package io.polygate.plugin.polyglot;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/** Resolves as the system does, then refuses the admin port on any address of this machine. */
final class AdminPortGuard implements SocketAddressResolver {
    private final IntSupplier adminPort;

    private final SocketAddressResolver system = new SocketAddressResolver.Sync();

    /** @param adminPort the admin port now (0 or less: none) */
    AdminPortGuard(IntSupplier adminPort) { this.adminPort = adminPort; }

    @Override
    public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
        int admin = adminPort.getAsInt();
        if (admin <= 0 || port != admin) {
            system.resolve(host, port, context, promise);
            return;
        }
        system.resolve(host, port, context, Promise.from(addresses -> {
            for (InetSocketAddress a : addresses) {
                if (isLocal(a.getAddress())) {
                    promise.failed(new OutboundHttp.Refused(host + ":" + port + " is the gateway's admin port"));
                    return;
                }
            }
            promise.succeeded(addresses);
        }, promise::failed));
    }

    private static boolean isLocal(InetAddress a) {
        if (a == null || a.isAnyLocalAddress() || a.isLoopbackAddress()) return true;
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return true;
        }
    }
}
