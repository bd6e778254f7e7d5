package io.polygate.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Python hooks run in parallel, one request per context, not behind one global lock: with a pool
 * of 2 contexts, a hook that takes 200 ms serves two clients at twice the rate of one. (The hook
 * sleeps rather than computes so that the result shows the contexts' parallelism, not how many
 * cores this shared machine has free; bench/plugins.sh measures CPU-bound throughput.)
 */
class PluginParallelismIT {
    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "2");
        Path tmp = Files.createTempDirectory("polygate-par");
        PluginTesting.bundlesDir(tmp.resolve("bundles"), Map.of("guard", "py-guard"));
        gw = GatewayFixture.start("""
                bundles_dir: bundles
                apis:
                  - {api_id: guard, listen_path: /guard, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: guard}
                """, tmp);
        PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(3), "guard");
        // a version serves from its first context; the second is built in the background
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (gw.gateway().bundles().current("guard").contexts() < 2) {
            assertThat(System.nanoTime()).as("the pool of 2 contexts was not filled").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(gw.gateway().bundles().status("guard").state()).isEqualTo("ready");
    }

    @AfterAll
    static void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        if (gw != null) gw.close();
    }

    /** Requests completed by {@code clients} threads in {@code window}. */
    static int served(int clients, Duration window) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger ok = new AtomicInteger();
        long end = System.nanoTime() + window.toNanos();
        Future<?>[] fs = new Future<?>[clients];
        for (int i = 0; i < clients; i++) {
            fs[i] = pool.submit(() -> {
                while (System.nanoTime() < end) {
                    if (gw.get("/guard/x", "Probe", "sleep", "Seconds", "0.2").statusCode() == 200) ok.incrementAndGet();
                }
                return null;
            });
        }
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        return ok.get();
    }

    @Test
    void twoClientsGetTwiceTheRateOfOneWithTwoContexts() throws Exception {
        served(2, Duration.ofSeconds(1)); // warm both contexts
        int one = served(1, Duration.ofSeconds(4));
        int two = served(2, Duration.ofSeconds(4));
        System.out.printf("parallel contexts: 1 client %d requests, 2 clients %d requests in 4 s (%.2fx)%n", one, two, (double) two / one);
        assertThat(one).isBetween(8, 21);            // at most 20 requests of 200 ms in 4 s, fewer on a busy machine
        assertThat((double) two / one).as("2 clients: %d, 1 client: %d", two, one).isGreaterThan(1.6);  // serialised contexts would give 1.0
    }
}
